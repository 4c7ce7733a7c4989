"""The intake's review form creates one case, however often it is sent (a double click, a worker
killed after its commit, the browser's "send again")."""
from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from kb.models import AuditEvent, Case
from kb.records import CaseRecord

RAW = {"title": "Un appel au sujet d'un dossier", "situation": "Une assistante sociale demande si elle peut "
       "transmettre une note à la direction.", "opinion": "Le bureau rappelle le secret professionnel.",
       "themes": ["secret-professionnel"], "sectors": "cpas", "year": "2024", "channel": "mail", "legal_refs": ""}


def review(client) -> tuple[dict, str]:
    page = client.post("/intake/", data=RAW)
    assert page.status_code == 200
    token = re.search(r'name="once" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    return dict(RAW), token


def count_cases(kb) -> int:
    with kb.db.session() as session:
        return session.scalar(select(func.count(Case.id)))


def test_sending_the_review_form_twice_creates_one_case(client, kb) -> None:
    fields, token = review(client)
    first = client.post("/intake/save", data=fields | {"once": token})
    again = client.post("/intake/save", data=fields | {"once": token})
    assert first.status_code == again.status_code == 302
    assert again.headers["Location"] == first.headers["Location"] == "/cases/AV-2024-001"
    assert count_cases(kb) == 1
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "Ce formulaire a déjà été enregistré : voici le cas AV-2024-001." in page
    with kb.db.session() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "create")) == 1


def test_each_review_form_has_its_own_token(client, kb) -> None:
    (fields, first), (_, second) = review(client), review(client)
    assert first != second
    client.post("/intake/save", data=fields | {"once": first})
    client.post("/intake/save", data=fields | {"once": second})
    assert count_cases(kb) == 2  # the same text recorded twice on purpose, from two reviews


def test_a_token_recorded_by_a_worker_that_died_after_its_commit(client, kb) -> None:
    """The commit happened, the answer never reached the browser: sending again shows the case."""
    fields, token = review(client)
    record = CaseRecord(ref="new", title=RAW["title"], situation=RAW["situation"], opinion=RAW["opinion"],
                        themes=RAW["themes"], sectors=["cpas"], year=2024, channel="mail", legal_refs=[])
    ref = kb.create_case(record, actor="bureau", form_token=token)
    assert kb.create_case(record, actor="bureau", form_token=token) == ref  # the service checks it too
    response = client.post("/intake/save", data=fields | {"once": token})
    assert response.headers["Location"] == f"/cases/{ref}" and count_cases(kb) == 1


def test_the_token_survives_the_residual_warning_page(client, kb) -> None:
    fields, token = review(client)
    fields["situation"] += " Elle rappellera depuis le 0499123456."
    blocked = client.post("/intake/save", data=fields | {"once": token})
    assert blocked.status_code == 409
    assert f'name="once" type="hidden" value="{token}"' in blocked.get_data(as_text=True)
    for _ in range(2):
        client.post("/intake/save", data=fields | {"once": token, "accept_residuals": "y"})
    assert count_cases(kb) == 1
    with kb.db.session() as session:  # the acceptance is audited once, with the case, as a count only
        accepted = list(session.scalars(select(AuditEvent).where(AuditEvent.action == "accept-residuals")))
        created = session.scalar(select(AuditEvent).where(AuditEvent.action == "create"))
    assert len(accepted) == 1 and accepted[0].case_ref == created.case_ref
    assert accepted[0].detail.endswith("warning(s) accepted") and "0499" not in accepted[0].detail


def test_a_form_without_a_token_still_saves(client, kb) -> None:
    client.post("/intake/save", data=RAW | {"once": ""})
    client.post("/intake/save", data=RAW | {"once": "<script>"})
    assert count_cases(kb) == 2


def test_a_double_click_sends_the_form_twice_at_once(app, client, kb) -> None:
    fields, token = review(client)
    browsers = []
    for _ in range(4):  # the same browser session, four requests in flight together
        browser = app.test_client()
        browser.set_cookie("session", client.get_cookie("session").value)
        browsers.append(browser)
    barrier = threading.Barrier(len(browsers))

    def send(browser):
        barrier.wait()
        return browser.post("/intake/save", data=fields | {"once": token}).headers["Location"]

    with ThreadPoolExecutor(len(browsers)) as pool:
        locations = list(pool.map(send, browsers))
    assert set(locations) == {"/cases/AV-2024-001"} and count_cases(kb) == 1
