"""A fault is said once per page: no second message for the same cause, and nothing drawn
as if the request had worked."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.app.support import app_simulator, rerun, texts


def test_targeting_chosen_campaigns_with_a_refused_token_says_it_once(app: AppTest) -> None:
    app.switch_page("pages/targeting.py")
    rerun(app)
    assert app.tabs and not app.error
    app_simulator(app).expire_access_token()  # every call from now on answers 401
    app.radio(key="targeting_scope").set_value("Chosen campaigns")
    app.selectbox(key="f_preset").set_value("last_30_days")  # nothing cached for it
    rerun(app)
    errors = texts(app.error)
    assert len(errors) == 1 and "refused the access token" in errors[0], errors
    assert not app.tabs and not app.dataframe  # no breakdown drawn for a scope not chosen
