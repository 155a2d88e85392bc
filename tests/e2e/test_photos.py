"""Photos over the fake Bot API against the real portal: the counter counts, a photo is
removed by typed words and another replaced with the buttons, and the portal holds
exactly the photos the chat shows."""

from __future__ import annotations

from backend_client import StaffClient
from bot.store import Store
from tests.e2e.conftest import Citizen, texts
from tests.e2e.flows import birth_registration_until_papers
from tests.support.images import photo

BIRTH_NOTICE = "birth_notice"


async def test_a_photo_removed_and_replaced(
    citizen: Citizen, bot_store: Store, clerk: StaffClient
) -> None:
    await birth_registration_until_papers(citizen)
    for n in (1, 2, 3):
        got = await citizen.sends_photo(photo(text=f"TRANG {n}"))
        assert f"Đã nhận {n} ảnh Giấy chứng sinh" in texts(got)  # it said "1 ảnh" each time
    state = await bot_store.load_state(f"telegram:{citizen.chat_id}")
    first, second, third = state.photos[BIRTH_NOTICE]

    removed = await citizen.says("xoá ảnh 2")
    assert "Đã bỏ ảnh 2" in texts(removed) and "Còn 2 ảnh" in texts(removed)

    which = await citizen.presses("Chụp lại một ảnh")
    assert "Bác chọn ảnh nào?" in texts(which)
    retake = await citizen.presses("Ảnh 1")
    assert "Đã bỏ ảnh 1. Bác gửi ảnh mới thay vào nhé." in texts(retake)
    got = await citizen.sends_photo(photo(text="TRANG 1 RO HON"))
    assert "Đã nhận 2 ảnh Giấy chứng sinh" in texts(got)

    state = await bot_store.load_state(f"telegram:{citizen.chat_id}")
    new, kept = state.photos[BIRTH_NOTICE]
    assert kept == third and new not in (first, second, third)
    draft = await clerk.get_application(state.app_id or "")
    assert [d.id for d in draft.documents if d.code == BIRTH_NOTICE] == sorted([new, kept])

    following = await citizen.says("xong rồi")
    assert "Giấy chứng nhận kết hôn" in texts(following)
