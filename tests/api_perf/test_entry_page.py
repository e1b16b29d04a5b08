"""The usage-entry list is built from ``.values()`` rows for speed (usage.serializers.
entry_page_data); every entry on it must read exactly as the serializer writes it, for each
kind of reader, so the fast page can never drift from the contract."""

import datetime

import pytest

from studio_tracker.usage import consents, entries, performers
from studio_tracker.usage.models import UsageEntry
from studio_tracker.usage.serializers import UsageEntrySerializer
from tests.usage.conftest import add_tool, open_to_union_reps

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(cast):
    """Uses of every shape: on a shot with two performers (one without a consent), on the
    production alone with input sources and a language, and one in another production."""
    tool = add_tool(cast)
    voice = add_tool(cast, name="VoiceBox", modalities=["audio_voice"])
    maggie, theo = (
        performers.create_performer(
            actor=cast.pat,
            organization=cast.northlight,
            legal_name=name,
            professional_name=name,
            category="principal",
        )
        for name in ("Maggie Whitcombe", "Theo Grant")
    )
    consent = consents.record_consent(
        actor=cast.pat,
        production=cast.production_a,
        performer=maggie,
        consent_type="ebdr_use",
        use_description="Digital de-ageing of her face in the flashback scenes",
        signed_at=datetime.date(2025, 1, 1),
    )
    entries.log_usage(
        actor=cast.cora,
        production=cast.production_a,
        performers=[
            {"performer": maggie, "consent": consent, "aspect": "face"},
            {"performer": theo, "consent": None, "aspect": "body"},
        ],
        shot=cast.shot_a,
        department="vfx",
        category="deaging",
        modality="video",
        tool=tool,
        disposition="final_key",
        replica_kind="ebdr",
        used_on=datetime.date(2025, 3, 1),
        prompt_text="Maggie at 25",
        description="Flashback, reel 2",
    )
    entries.log_usage(
        actor=cast.pat,
        production=cast.production_a,
        department="localization",
        category="ai_dubbing",
        modality="audio_voice",
        tool=voice,
        disposition="final_key",
        language="fr",
        used_on=datetime.date(2025, 4, 2),
        input_sources=[{"ref": "ADR session 3", "copyright_status": "owned"}],
        external_ref="JIRA-12",
    )
    entries.log_usage(
        actor=cast.cam,
        production=cast.production_b,
        shot=cast.shot_b,
        department="vfx",
        category="set_extension",
        modality="video",
        tool=tool,
        disposition="temp",
        used_on=datetime.date(2025, 5, 3),
        prompt_text="harbour at dusk",
    )
    open_to_union_reps(cast.production_a)


@pytest.mark.parametrize("who", ["cam", "pat", "cora", "uma"])
def test_the_list_reads_exactly_like_the_serializer(api, cast, register, who):
    user = getattr(cast, who)
    body = api.as_user(user).get("/api/v1/usage-entries/").json()
    assert body["results"], f"{who} should see uses"

    class Request:  # what the serializer reads from its context
        pass

    request = Request()
    request.user = user
    for row in body["results"]:
        entry = UsageEntry.objects.get(pk=row["id"])
        expected = UsageEntrySerializer(entry, context={"request": request}).data
        assert list(row) == list(expected), "same fields in the same order"
        assert row == expected
    visible = {row["id"] for row in body["results"]}
    assert visible == set(UsageEntry.objects.visible_to(user).values_list("id", flat=True))
    shown_prompts = {"prompt_text" in row for row in body["results"]}
    assert shown_prompts == ({True} if who in ("cam", "pat") else {False})
