"""Support files for bench/api_throughput.py: a settings module and URLconf adding the plain
reference view, and the wrk Lua scripts. Nothing here is imported by the product."""
