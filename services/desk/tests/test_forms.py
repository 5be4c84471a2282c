"""A form the API refused comes back as the person sent it: what they typed kept, the refusal in
their language, each 422 field error next to its input (labelled and described for a screen
reader)."""

from __future__ import annotations

import httpx

from desk.gateway_api import error_of
from desk.i18n import Words
from desk.web import templates

FORM = """{% from "_forms.html" import field %}
{{ field("walk_around.mileage_km", "Mileage (km)", values, errors, type="number") }}
{{ field("walk_around.fuel_eighths", "Fuel", values, errors) }}"""


def test_a_422s_field_errors_are_keyed_by_the_forms_input_names() -> None:
    body = {
        "error": {
            "code": "invalid_request",
            "message": "the request is not valid",
            "fields": [
                {"field": "body.walk_around.mileage_km", "message": "must be at least 0", "type": "greater_than_equal"}
            ],
        }
    }
    error = error_of(httpx.Response(422, json=body))
    assert (error.status, error.code) == (422, "invalid_request")
    assert error.fields == {"walk_around.mileage_km": "must be at least 0"}


def test_an_answer_without_the_error_shape_still_has_a_code() -> None:
    assert error_of(httpx.Response(502, text="<html>bad gateway</html>")).code == "http_502"
    assert error_of(httpx.Response(422, json={})).code == "invalid_request"


def test_the_field_keeps_what_was_typed_and_shows_its_error_beside_it() -> None:
    values = {"walk_around.mileage_km": "-5", "walk_around.fuel_eighths": "4"}
    errors = {"walk_around.mileage_km": "must be at least 0"}
    html = templates.from_string(FORM).render(values=values, errors=errors)
    assert 'id="f-walk_around.mileage_km" name="walk_around.mileage_km" type="number" value="-5"' in html
    assert 'aria-invalid="true" aria-describedby="e-walk_around.mileage_km"' in html
    assert '<p class="error" id="e-walk_around.mileage_km">must be at least 0</p>' in html
    assert '<label for="f-walk_around.mileage_km">Mileage (km)</label>' in html
    assert 'value="4"' in html  # the field without an error keeps its value too
    assert html.count("aria-invalid") == 1


def test_what_was_typed_is_escaped_not_run() -> None:
    html = templates.from_string(FORM).render(values={"walk_around.fuel_eighths": '"><script>x()</script>'}, errors={})
    assert "<script>" not in html


def test_the_refusal_is_in_the_persons_language_with_what_to_do_next() -> None:
    assert Words("zh").error("concurrency_conflict").startswith("其他人刚刚修改了这条记录")
    assert "Reload it" in Words("en").error("concurrency_conflict")
    assert Words("en").error("no_such_code_yet") == (
        "That did not work (code: no_such_code_yet). Try again; if it keeps failing, ask your service manager."
    )
