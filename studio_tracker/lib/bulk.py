"""Insert many rows fast: PostgreSQL's COPY where it runs, ``bulk_create`` elsewhere.

Django's ``bulk_create`` spends most of its time building SQL text: for 150,000 usage entries
that is tens of seconds, where COPY of the same rows takes one or two. The ids are drawn from
the table's own sequence first, so callers get primary keys back exactly as with bulk_create.
"""

import json
from collections.abc import Sequence

from django.db import connections, models, router


def insert_many(model, objects: Sequence, *, batch_size: int = 2000) -> list:
    """Insert ``objects`` (unsaved instances of ``model``) and set their primary keys."""
    objects = list(objects)
    if not objects:
        return objects
    alias = router.db_for_write(model)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return model.objects.using(alias).bulk_create(objects, batch_size=batch_size)

    meta = model._meta
    fields = list(meta.concrete_fields)
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    readers = [_reader(field, connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objects)],
        )
        for instance, (pk,) in zip(objects, cursor.fetchall(), strict=True):
            instance.pk = pk
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for instance in objects:
                copy.write_row([read(instance) for read in readers])
    for instance in objects:
        instance._state.adding = False
        instance._state.db = alias
    return objects


def _reader(field, connection):
    """How to get one column's value: the attribute as it is, except where Django must convert
    (JSON, auto timestamps, anything unusual), which goes through the field as bulk_create does."""
    simple = (
        models.CharField,
        models.TextField,
        models.BooleanField,
        models.IntegerField,
        models.DateField,
        models.DecimalField,
        models.ForeignKey,
        models.AutoField,
        models.BigAutoField,
    )
    needs_field = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    if (
        isinstance(field, simple)
        and not needs_field
        and not isinstance(field, models.DateTimeField)
    ):
        attname = field.attname
        return lambda instance: getattr(instance, attname)
    return lambda instance: field.get_db_prep_save(field.pre_save(instance, add=True), connection)


def insert_rows(model, field_names: Sequence[str], rows: Sequence[Sequence]) -> list[int]:
    """Insert plain rows (tuples of values for ``field_names``, in that order) without building
    model instances, and return the new primary keys in the rows' order.

    Values are what the column stores: ids for foreign keys (name them ``tool_id`` or ``tool``),
    ``date`` objects, plain text. Every other concrete field gets its model default, computed once
    (auto timestamps: one "now" for the whole batch). On PostgreSQL the rows go in with COPY;
    elsewhere through ``bulk_create``.
    """
    if not rows:
        return []
    meta = model._meta
    given = [meta.get_field(name) for name in field_names]
    if meta.pk in given:
        raise ValueError("insert_rows draws the primary keys itself")
    alias = router.db_for_write(model)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        attnames = [field.attname for field in given]
        objects = [model(**dict(zip(attnames, row, strict=True))) for row in rows]
        model.objects.using(alias).bulk_create(objects)
        return [instance.pk for instance in objects]

    template = model()
    rest = [f for f in meta.concrete_fields if f not in given and f is not meta.pk]
    # Computed once; JSON as its text, or psycopg would encode it again on every row.
    constants = tuple(_constant(field, template, connection) for field in rest)
    simple = [_is_simple(field) for field in given]
    convert = None
    if not all(simple):
        converters = [
            None
            if plain
            else (lambda value, field=field: field.get_db_prep_save(value, connection))
            for field, plain in zip(given, simple, strict=True)
        ]

        def convert(row):
            return tuple(
                value if to_db is None else to_db(value)
                for value, to_db in zip(row, converters, strict=True)
            )

    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in [meta.pk, *given, *rest])
    with connection.cursor() as cursor:
        # The sequence named once: inside the SELECT it would be looked up for every row.
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [meta.db_table, meta.pk.column])
        (sequence,) = cursor.fetchone()
        cursor.execute(
            "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, len(rows)]
        )
        pks = [pk for (pk,) in cursor.fetchall()]
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            write = copy.write_row
            if convert is None:
                for pk, row in zip(pks, rows, strict=True):
                    write((pk, *row, *constants))
            else:
                for pk, row in zip(pks, rows, strict=True):
                    write((pk, *convert(row), *constants))
    return pks


def _constant(field, template, connection):
    if isinstance(field, models.JSONField):
        value = getattr(template, field.attname)
        return None if value is None else json.dumps(value, cls=field.encoder)
    return _reader(field, connection)(template)


def _is_simple(field) -> bool:
    """A column whose Python value COPY takes as it is (see ``_reader``)."""
    return not (
        getattr(field, "auto_now", False)
        or getattr(field, "auto_now_add", False)
        or isinstance(field, models.DateTimeField)
        or not isinstance(
            field,
            (
                models.CharField,
                models.TextField,
                models.BooleanField,
                models.IntegerField,
                models.DateField,
                models.DecimalField,
                models.ForeignKey,
            ),
        )
    )
