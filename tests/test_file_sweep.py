"""Stored files nothing names any more are swept nightly (storage/file_sweep.py): a photo kept
during a registration form that was then cancelled stays on disk otherwise, where a later
request to delete the person's data can no longer find it."""

from __future__ import annotations

import os
from datetime import timedelta

from sqlalchemy import select

from bot.app import App
from bot.settings import load_settings
from scheduler.runtime import SWEEP_FILES, job_specs
from storage.file_sweep import sweep_files
from storage.models import DossierDocument, IntakeDraft, utcnow
from tests.dossier_support import jpeg, make_case
from tests.helpers import intents, press, say, send_file

LATER = timedelta(days=2)


async def _held(app: App) -> list[str]:
    async with app.db.session() as session:
        draft = await session.scalar(select(IntakeDraft))
    return [] if draft is None else [str(h["sha"]) for h in draft.data.get("held_files") or []]


async def test_a_photo_of_a_cancelled_form_is_swept_and_one_still_named_is_kept(app: App) -> None:
    await say(app, "u1", "đăng ký")
    for label in ("Đồng ý", "Cho bản thân tôi", "Đi làm việc ở nước ngoài"):
        await press(app, "u1", label)
    await send_file(app, "u1", jpeg(11))
    [held] = await _held(app)
    # A dossier page names another file (a column).
    case_id = await make_case(app, "u2")
    page = await app.files.put(jpeg(12))
    async with app.db.session() as session, session.begin():
        session.add(DossierDocument(case_id=case_id, item_key="don", page=1, kind="photo",
                                    mime_type="image/jpeg", size=1, sha256=page))
    stray = await app.files.put(jpeg(13))

    # Young files are never taken, named or not.
    assert await sweep_files(app.db, app.files, utcnow()) == 0
    # Old: the form's photo (held in the draft's JSON) and the page stay; the stray goes.
    assert await sweep_files(app.db, app.files, utcnow() + LATER) == 1
    assert app.files.exists(held) and app.files.exists(page) and not app.files.exists(stray)

    await say(app, "u1", "hủy")
    assert intents(await press(app, "u1", "Có, hủy"))[0] == "flow:intake.cancelled"
    assert await _held(app) == []
    assert await sweep_files(app.db, app.files, utcnow() + LATER) == 1
    assert not app.files.exists(held) and app.files.exists(page)


async def test_a_file_stored_again_is_not_swept(app: App) -> None:
    # The same photo sent again is stored once: its time is renewed, so the sweep that
    # listed it as old and unnamed leaves it (its row is about to name it).
    sha = await app.files.put(jpeg(21))
    path = app.files.path_for(sha)
    old = (utcnow() - LATER).timestamp()
    os.utime(path, (old, old))
    assert await app.files.put(jpeg(21)) == sha
    assert await sweep_files(app.db, app.files, utcnow()) == 0
    assert app.files.exists(sha)


def test_the_sweep_runs_nightly() -> None:
    config = load_settings().scheduler_config()
    specs = {job_id: trigger for job_id, _, trigger in job_specs(config)}
    assert "hour='4'" in str(specs[SWEEP_FILES])
