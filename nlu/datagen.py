"""Writes the Rasa NLU training files in nlu/data/ from hand-written examples.

Most examples below are written out in full. Procedure intents also combine
hand-written frames with the many ways people name a procedure, and a share of
the examples is repeated without diacritics, as many users type. Output is
deterministic. Run: python -m nlu.datagen
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Final

import yaml

from nlu.normalize import fold
from nlu.procedures import default_lexicon
from nlu.training_data import DATA_DIR

# How people name each procedure, with diacritics (aliases used inside frames): data in
# nlu/data/lexicon/example_names.yml; a procedure missing there uses its catalog aliases.
NAMES_FILE: Final = DATA_DIR / "lexicon" / "example_names.yml"


def _names() -> dict[str, tuple[str, ...]]:
    doc = yaml.safe_load(NAMES_FILE.read_text(encoding="utf-8")) or {}
    names = {str(slug): tuple(str(n) for n in items) for slug, items in doc.items()}
    for slug, aliases in default_lexicon().aliases.items():
        names.setdefault(slug, aliases)
    return names


NAMES: Final = _names()

# Frames for the procedure intents; {p} is a procedure name.
FRAMES: Final[dict[str, tuple[str, ...]]] = {
    "start_procedure": (
        "I need to apply for {p} today",
        "I came to do {p}",
        "we need {p} for our family",
        "tôi muốn xin {p}",
        "tôi đến để làm {p}",
        "nhà tôi cần làm {p} gấp",
        "cho tôi đăng ký {p} luôn",
        "tôi muốn làm hồ sơ {p} trên mạng",
        "làm giúp tôi {p}",
        "mẹ tôi nhờ tôi làm {p}",
        "mình làm {p} ở đây luôn được không",
        "bà muốn làm {p}",
        "I would like to do {p}",
        "please help me register {p}",
        "I'd like to get {p}",
        "toi muon lam {p}",
        "cho toi lam {p}",
        "tui can {p}",
        "tôi muốn làm {p}",
        "tui muốn đăng ký {p}",
        "cho tôi làm {p}",
        "tui cần làm {p}",
        "bác muốn làm {p} cháu ơi",
        "làm {p}",
        "{p}",
        "tui ưng làm {p}",
        "chừ tui muốn mần {p}",
        "o ơi tui muốn làm {p} hỉ",
        "giúp tôi làm {p} với",
        "nộp hồ sơ {p}",
        "mình muốn nộp {p} online",
        "tôi cần đăng ký {p} cho gia đình",
        "bắt đầu làm {p}",
        "cháu ơi chỉ bác làm {p} với",
        "em muốn làm thủ tục {p}",
        "làm thủ tục {p} ở đây được không",
        "tui tính làm {p} mà không biết bắt đầu từ mô",
        "con tui nhờ tui đi làm {p}",
        "i want to apply for {p}",
        "I need a {p}",
        "help me with {p} please",
        "can I apply for {p} here",
        "start {p}",
    ),
    "ask_requirements": (
        "how do I apply for {p}",
        "how to get {p}",
        "how can I get {p} here",
        "what is the procedure for {p}",
        "what do I have to prepare to apply for {p}",
        "xin {p} thì phải nộp những loại giấy nào",
        "làm {p} có phải mang bản gốc không",
        "cho hỏi {p} cần mấy bản photo",
        "{p} có cần người làm chứng không",
        "{p} thì điền tờ khai nào",
        "tôi chưa biết làm {p} cần chuẩn bị gì, chỉ giúp",
        "nhà tui muốn làm {p}, phải đem theo những thứ chi",
        "mần {p} cần cái chi rứa o",
        "làm {p} cần có ảnh thẻ không",
        "how do I get a {p}, what do I need",
        "which documents should I prepare for {p}",
        "do I need my passport for {p}",
        "what is required to apply for {p}",
        "lam {p} can giay to gi",
        "{p} can mang theo gi",
        "làm {p} cần giấy tờ gì",
        "{p} cần những giấy tờ gì",
        "làm {p} cần mang theo những gì",
        "hồ sơ {p} gồm những gì",
        "{p} cần chuẩn bị chi",
        "làm {p} cần giấy chi rứa",
        "mần {p} phải đem theo cái chi hỉ",
        "thủ tục {p} cần những gì",
        "đi làm {p} thì mang giấy tờ chi",
        "{p} cần giấy tờ chi",
        "muốn làm {p} thì chuẩn bị những giấy tờ nào",
        "làm {p} có cần cmnd không",
        "{p} có cần sổ hộ khẩu không",
        "cần mang cccd khi làm {p} không",
        "what documents do I need for {p}",
        "what papers are required for {p}",
        "requirements for {p}",
        "what should I bring for {p}",
    ),
    "ask_fee": (
        "how much will {p} cost me",
        "what do I pay for {p}",
        "{p} tính phí thế nào",
        "{p} phải đóng khoản phí nào",
        "làm {p} có phải nộp đồng nào không",
        "làm {p} trễ hạn có bị phạt tiền không",
        "{p} nộp online có rẻ hơn không",
        "làm {p} hết mấy đồng",
        "{p} giá bao nhiêu",
        "{p} mất mấy chục nghìn",
        "làm {p} có thu tiền không",
        "nghe nói {p} không mất tiền, có đúng không",
        "how much do I have to pay for {p}",
        "are there any charges for {p}",
        "what does {p} cost",
        "lam {p} het bao nhieu tien",
        "{p} bao nhieu tien",
        "làm {p} mất bao nhiêu tiền",
        "{p} phí bao nhiêu",
        "lệ phí {p} là bao nhiêu",
        "{p} có mất tiền không",
        "làm {p} tốn bao nhiêu",
        "{p} bao nhiêu tiền rứa",
        "mần {p} hết mấy tiền hỉ",
        "phí làm {p} bao nhiêu vậy",
        "{p} có miễn phí không",
        "làm {p} có tốn phí chi không",
        "chi phí làm {p}",
        "how much does {p} cost",
        "what is the fee for {p}",
        "is {p} free",
    ),
    "check_status": (
        "hồ sơ {p} của tôi sao rồi",
        "hồ sơ {p} nộp tuần trước xong chưa",
        "{p} của tui làm tới đâu rồi",
        "kiểm tra hồ sơ {p} giúp tôi",
        "hồ sơ {p} của mệ chừ ra răng rồi",
        "ho so {p} cua toi xong chua",
        "is my {p} application ready yet",
        "any update on my {p}",
    ),
    "cancel": (
        "hủy hồ sơ {p}",
        "tôi không làm {p} nữa",
        "thôi khỏi làm {p}",
        "rút hồ sơ {p} giúp tôi",
        "cancel my {p} application",
    ),
    "ask_processing_time": (
        "how quickly can I get {p}",
        "how long is the wait for {p}",
        "{p} có làm xong trong ngày không",
        "nộp {p} buổi chiều thì khi nào lấy",
        "{p} mấy giờ thì lấy được",
        "nộp {p} sáng nay thì chiều có kịp không",
        "bao giờ thì có {p}",
        "{p} phải chờ bao lâu",
        "{p} mất mấy hôm",
        "làm {p} có nhanh không",
        "{p} có lấy liền được không",
        "when can I collect my {p}",
        "how soon can I get {p}",
        "is {p} done the same day",
        "how many working days does {p} take",
        "{p} bao lau thi co",
        "lam {p} mat may ngay",
        "làm {p} mất bao lâu",
        "{p} bao lâu thì có",
        "bao lâu thì lấy được {p}",
        "{p} mấy ngày thì xong",
        "nộp {p} rồi khi nào có kết quả",
        "làm {p} có lấy liền trong ngày không",
        "{p} chừ nộp thì bao lâu có",
        "mần {p} mấy bữa thì xong hỉ",
        "thời gian giải quyết {p} là bao lâu",
        "{p} bao nhiêu ngày làm việc",
        "how long does {p} take",
        "when will my {p} be ready",
        "how many days for {p}",
    ),
}


# Hand-written examples, one intent per list.
EXAMPLES: Final[dict[str, tuple[str, ...]]] = {
    "greet": (
        "chào bạn, chúc bạn khỏe",
        "xin chào, chúc cháu buổi sáng vui vẻ",
        "chào buổi tối",
        "dạ con kính chào",
        "chào cô ạ",
        "dạ chào cán bộ",
        "hello, anyone there",
        "xin chào",
        "chào bạn",
        "chào em",
        "chào cháu",
        "chào o",
        "alo",
        "a lô có ai không",
        "chào buổi sáng",
        "chào buổi chiều",
        "hello",
        "hi",
        "hi there",
        "good morning",
        "good afternoon",
        "chào ủy ban phường",
        "dạ chào cháu, bác đây",
        "con chào cô chú",
        "xin chào, tôi là bà Lan ở Phú Xuân",
        "chào anh chị",
        "ê",
        "có ai đó không",
        "mệ chào cháu nghe",
        "tui chào o nghe",
        "kính chào quý cơ quan",
        "chào bot",
        "hế lô",
        "chao ban",
        "xin chao",
        "hey",
        "good evening",
        "chào nhé",
        "dạ thưa cháu",
    ),
    "goodbye": (
        "tạm biệt",
        "chào nhé, tôi đi đây",
        "bye",
        "bye bye",
        "goodbye",
        "see you",
        "hẹn gặp lại",
        "thôi chào cháu nghe",
        "tui đi đây",
        "vậy thôi nghe, chào",
        "rứa thôi hỉ, tui về đây",
        "thôi tui nghỉ đã, mai nói tiếp",
        "bái bai",
        "tam biet",
        "chào tạm biệt",
        "thôi bác tắt máy đây",
        "hẹn mai nghe",
        "see you later",
        "bye for now",
        "have a nice day, goodbye",
        "chúc cháu ngủ ngon",
        "good night",
        "tui out đây",
        "thôi nghe cháu, chào",
    ),
    "thanks": (
        "cảm ơn",
        "cám ơn nhiều",
        "cảm ơn cháu",
        "cảm ơn em nhiều lắm",
        "cám ơn o nghe",
        "thanks",
        "thank you",
        "thank you so much",
        "many thanks",
        "cảm ơn nhiều nghe",
        "ok cảm ơn",
        "dạ cảm ơn ạ",
        "tui cảm ơn cháu nhiều hỉ",
        "quý hóa quá, cảm ơn cháu",
        "cam on",
        "cam on nhieu",
        "thank",
        "tks",
        "cảm ơn bạn đã giúp",
        "cảm ơn, rứa là tui hiểu rồi",
        "thanks a lot for your help",
        "mệ cảm ơn cháu nghe",
        "đội ơn cháu",
        "cảm ơn đã chỉ tận tình",
    ),
    "affirm": (
        "có",
        "đúng rồi",
        "vâng",
        "dạ vâng",
        "dạ",
        "ừ",
        "ừ đúng",
        "ok",
        "oke",
        "được",
        "đồng ý",
        "phải",
        "phải rồi",
        "đúng",
        "chính xác",
        "yes",
        "yes please",
        "yeah",
        "correct",
        "that's right",
        "sure",
        "ưng",
        "tui ưng",
        "rứa là đúng",
        "đúng rứa",
        "ừ rứa đó",
        "được rồi",
        "ok làm đi",
        "tiếp tục",
        "tiếp đi",
        "xác nhận",
        "dạ đúng ạ",
        "đúng là tui",
        "có, tui đồng ý",
        "uh",
        "u",
        "co",
        "dung roi",
        "vang",
        "dong y",
        "ừ được",
        "rồi",
        "okay",
        "go ahead",
        "ok tiếp",
    ),
    "deny": (
        "không phải như vậy",
        "chưa đúng lắm",
        "không, không phải",
        "no it isn't",
        "không",
        "không phải",
        "không đúng",
        "sai rồi",
        "không có",
        "chưa",
        "chưa có",
        "không đồng ý",
        "no",
        "nope",
        "not really",
        "that's wrong",
        "no that's not right",
        "không phải rứa",
        "không phải tui",
        "khong",
        "ko",
        "k",
        "hong",
        "không ưng",
        "tui không ưng",
        "chưa đúng",
        "không phải cái ni",
        "không, sai rồi",
        "không cần",
        "không muốn",
        "ko phai",
        "sai",
        "chưa phải",
        "nah",
    ),
    "check_status": (
        "hồ sơ tôi gửi qua mạng có ai nhận chưa",
        "sao lâu quá chưa thấy kết quả hồ sơ",
        "giấy của tui đã ký chưa",
        "cán bộ đã xem hồ sơ của tôi chưa",
        "any news about my file",
        "has anyone looked at my application yet",
        "hồ sơ của tôi đến đâu rồi",
        "kiểm tra hồ sơ",
        "tra cứu hồ sơ",
        "hồ sơ của tui tới mô rồi",
        "hồ sơ xong chưa",
        "giấy của tui làm xong chưa",
        "tình trạng hồ sơ",
        "hồ sơ PX-2026-7Q4K9M đến đâu rồi",
        "tra cứu mã PX-2026-AB3CD7",
        "mã hồ sơ px2026k8m3na",
        "check status of PX-2026-ZZ9K4Q",
        "what is the status of my application",
        "is my application ready",
        "has my application been processed",
        "hồ sơ nộp hôm trước chừ răng rồi",
        "hồ sơ khai sinh của cháu tui xong chưa",
        "tui nộp hồ sơ tuần trước mà chưa thấy chi",
        "bao giờ tui lấy được kết quả hồ sơ",
        "hồ sơ đã được duyệt chưa",
        "cho tui hỏi hồ sơ mã px 2026 7q4k9m",
        "kiểm tra giúp tôi hồ sơ số PX-2026-M4N5P6",
        "tra ho so",
        "ho so cua toi den dau roi",
        "hồ sơ bị trả về à",
        "sao hồ sơ tui chưa có kết quả",
        "hồ sơ của mệ đã xong chưa cháu",
        "coi giùm tui hồ sơ với",
        "track my application",
        "where is my application",
        "my code is PX-2026-7Q4K9M",
        "đây là mã hồ sơ của tui PX 2026 7Q4K9M",
        "trạng thái hồ sơ px-2026-hh7k2m",
        "xem tiến độ hồ sơ",
        "hồ sơ đang xử lý tới bước nào",
        "tôi muốn biết kết quả hồ sơ",
        "giấy tờ tui nộp bữa trước chừ ra răng rồi",
    ),
    "list_applications": (
        "xem lại những hồ sơ đã gửi đi",
        "tôi muốn xem toàn bộ giấy tờ đã nộp",
        "cho tui coi lại hết mấy cái đã gửi",
        "xem các thủ tục tôi đã đăng ký",
        "các hồ sơ của tôi",
        "danh sách hồ sơ",
        "xem tất cả hồ sơ đã nộp",
        "tui đã nộp những hồ sơ nào",
        "liệt kê hồ sơ của tôi",
        "hồ sơ của tui",
        "những hồ sơ tui đã nộp",
        "cho tui coi mấy cái hồ sơ tui nộp",
        "tui có mấy hồ sơ rồi",
        "show my applications",
        "list my applications",
        "all my applications",
        "my applications",
        "what have I applied for",
        "danh sach ho so",
        "cac ho so cua toi",
        "xem lại các hồ sơ cũ",
        "lịch sử hồ sơ",
        "mấy hồ sơ mệ nộp hồi trước mô rồi",
        "cho xem hết hồ sơ",
        "tui nộp bao nhiêu hồ sơ rồi",
        "hồ sơ của gia đình tui",
        "show all my files",
        "xem danh sách các thủ tục đã làm",
    ),
    "pay_fee": (
        "tôi trả tiền mặt được không",
        "cho tui số tài khoản để chuyển tiền",
        "nộp phí qua ứng dụng ngân hàng",
        "can I pay in cash",
        "where do I pay",
        "tôi muốn nộp phí",
        "thanh toán",
        "trả tiền",
        "tui muốn trả tiền",
        "chuyển khoản",
        "nộp lệ phí",
        "cho tui mã QR để trả tiền",
        "quét mã QR",
        "gửi mã qr",
        "thanh toán lệ phí",
        "đóng tiền",
        "tui đóng tiền răng đây",
        "trả phí ở mô",
        "nộp tiền như thế nào",
        "pay",
        "pay the fee",
        "I want to pay",
        "how do I pay",
        "send me the QR code",
        "pay by bank transfer",
        "thanh toan",
        "tra tien",
        "tôi chuyển khoản rồi",
        "tui chuyển tiền rồi đó",
        "chuyển khoản qua ngân hàng được không",
        "tui trả bằng momo được không",
        "cháu gửi cái mã quét để bác trả tiền",
        "nộp phí online",
        "đóng lệ phí hồ sơ",
        "tui đã trả tiền xong",
        "I have paid",
    ),
    "talk_to_human": (
        "có cô chú nào trực không cho tui hỏi",
        "tui muốn gặp trực tiếp ai đó để hỏi",
        "nhờ cán bộ gọi lại cho tôi",
        "cho xin số điện thoại của tổ hỗ trợ",
        "tôi cần người hướng dẫn trực tiếp",
        "máy trả lời không đúng, cho gặp người",
        "is there anyone I can talk to",
        "I need help from a staff member",
        "cho tôi nói chuyện với người thật",
        "gặp cán bộ",
        "tui muốn gặp người",
        "cho tui nói chuyện với cán bộ phường",
        "có ai giúp tôi không",
        "gọi người giúp",
        "tôi muốn nói chuyện với nhân viên",
        "chuyển cho người thật đi",
        "tui không hiểu, cho gặp người",
        "nhờ tổ công nghệ số giúp",
        "cho tui gặp o cán bộ",
        "tui không biết mần, gọi ai giúp tui với",
        "gặp người hướng dẫn",
        "talk to a human",
        "I want to speak to a person",
        "can I talk to staff",
        "real person please",
        "human please",
        "connect me to an officer",
        "gap can bo",
        "nguoi that",
        "người thật",
        "nhân viên",
        "cán bộ",
        "gọi điện cho tui được không",
        "có số điện thoại cán bộ không",
        "máy không hiểu tui, cho gặp người",
        "tui già rồi không rành, có người chỉ giùm không",
        "ai đó gọi lại cho tui",
        "support please",
    ),
    "cancel": (
        "tôi không cần làm thủ tục này nữa",
        "bỏ hồ sơ đang làm dở",
        "please stop this application",
        "hủy giùm tui cái hồ sơ ni",
        "hủy",
        "huỷ bỏ",
        "thôi không làm nữa",
        "dừng lại",
        "hủy hồ sơ",
        "hủy hồ sơ này",
        "không làm nữa",
        "thôi bỏ đi",
        "tui đổi ý, không làm nữa",
        "dẹp đi",
        "cancel",
        "stop",
        "cancel my application",
        "I don't want to continue",
        "abort",
        "huy",
        "thoi khong lam nua",
        "dung lai",
        "thôi khỏi",
        "thôi",
        "thôi rứa khỏi làm",
        "chừ tui không làm nữa hỉ",
        "rút hồ sơ",
        "tui muốn rút hồ sơ lại",
        "xóa hồ sơ này đi",
        "bỏ qua thủ tục ni",
        "ngừng",
        "never mind",
        "forget it",
        "quit",
    ),
    "go_back": (
        "quay lại",
        "trở lại",
        "quay lại bước trước",
        "lùi lại",
        "sửa câu trả lời trước",
        "tui nhập sai, cho sửa lại",
        "quay về",
        "trở về bước trước",
        "back",
        "go back",
        "previous step",
        "undo",
        "I made a mistake in the last answer",
        "quay lai",
        "tro lai",
        "lui lai",
        "cho tui làm lại câu trước",
        "câu trước tui ghi sai rồi",
        "sửa lại tên vừa nhập",
        "trở lại chỗ cũ",
        "quay lui",
        "về bước trước đi",
        "back to previous question",
        "nhập lại ngày sinh",
        "cho sửa lại số điện thoại",
    ),
    "change_language": (
        "bạn nói tiếng Anh được không",
        "please reply in English",
        "I can't read Vietnamese",
        "trả lời bằng tiếng Việt giúp tôi",
        "đổi ngôn ngữ",
        "chuyển sang tiếng Anh",
        "nói tiếng Anh",
        "tiếng Anh",
        "tiếng Việt",
        "chuyển sang tiếng Việt",
        "nói tiếng Việt đi",
        "English",
        "English please",
        "in English",
        "switch to English",
        "change language",
        "can you speak English",
        "Vietnamese please",
        "speak Vietnamese",
        "doi ngon ngu",
        "tieng viet",
        "tieng anh",
        "do you speak english",
        "I don't speak Vietnamese",
        "I don't understand Vietnamese",
        "cho tui tiếng Việt",
        "đổi qua tiếng Việt",
        "language",
        "ngôn ngữ",
    ),
    "office_info": (
        "phường làm việc từ mấy giờ đến mấy giờ",
        "trưa phường có nghỉ không",
        "ngày lễ phường có trực không",
        "bộ phận một cửa ở tầng mấy",
        "gửi xe ở ủy ban chỗ nào",
        "what days is the office open",
        "opening times please",
        "dia chi uy ban phuong",
        "ủy ban phường ở đâu",
        "địa chỉ ủy ban phường",
        "ủy ban phường ở mô",
        "mấy giờ mở cửa",
        "giờ làm việc",
        "phường làm việc giờ nào",
        "thứ bảy có làm việc không",
        "chủ nhật có mở cửa không",
        "số điện thoại ủy ban",
        "trụ sở phường Phú Xuân ở mô rứa",
        "công an phường ở đâu",
        "mấy giờ đóng cửa",
        "sáng mai phường có làm không",
        "where is the ward office",
        "office hours",
        "what time does the office open",
        "is the office open on Saturday",
        "address of the ward office",
        "uy ban phuong o dau",
        "gio lam viec",
        "đi tới ủy ban phường răng",
        "bộ phận một cửa ở chỗ mô",
        "chiều ni phường có làm việc không",
        "đường đi tới ủy ban",
        "có chỗ đậu xe ở ủy ban không",
        "lễ có làm việc không",
        "how do I get to the ward office",
        "contact information of the ward",
        "thứ bảy công an phường có làm tạm trú không",
        "giờ nghỉ trưa của phường",
    ),
    "out_of_scope": (
        "có phim gì hay không",
        "tối nay ăn gì",
        "xem bói giùm tui",
        "kết quả xổ số hôm nay",
        "chơi game không",
        "bán nhà ở đâu giá tốt",
        "con tui muốn xin việc làm",
        "tui muốn mua bảo hiểm y tế",
        "đăng ký học bơi cho cháu",
        "cách nấu bún bò",
        "xem giúp tui số đề",
        "điện thoại tui bị hỏng",
        "wifi nhà tui yếu quá",
        "bạn có biết hát không",
        "ngày mai có bão không",
        "what is the capital of France",
        "I lost my wallet on the bus",
        "recommend a hotel in Hue",
        "how do I get a SIM card",
        "mua vé tàu ra Hà Nội",
        "sổ đỏ sang tên ở đâu",
        "làm lại thẻ bảo hiểm y tế",
        "đổi tiền đô ở mô",
        "ban ten gi",
        "thoi tiet mai the nao",
        "hôm nay thời tiết thế nào",
        "trời mưa không",
        "kể chuyện cười đi",
        "bạn tên gì",
        "bạn là ai",
        "bạn có người yêu chưa",
        "giá vàng hôm nay",
        "mua bán đất",
        "tư vấn bảo hiểm",
        "cho vay tiền không",
        "tui đau lưng quá",
        "đặt vé máy bay",
        "bún bò Huế ở đâu ngon",
        "con tui thi đại học",
        "hôm nay đá bóng mấy giờ",
        "what's the weather like",
        "tell me a joke",
        "who won the football match",
        "can you recommend a restaurant",
        "I want to buy a motorbike",
        "làm hộ chiếu",
        "cấp hộ chiếu ở đâu",
        "đổi bằng lái xe",
        "làm căn cước công dân",
        "đăng ký xe máy",
        "xin visa",
        "passport renewal",
        "driving licence",
        "nấu cơm ăn chưa",
        "mệ nấu canh chua ngon lắm",
        "chừ mưa to quá",
        "asdfgh",
        "123",
        "??",
        "hát cho tui nghe một bài",
        "tui buồn quá",
        "giá xăng bao nhiêu",
        "lịch cúp điện",
        "khám bệnh ở bệnh viện trung ương Huế",
        "học bổng cho con",
        "visa extension",
        "where can I exchange money",
    ),
}

# English from foreign residents, written out per intent.
EXAMPLES_EN: Final[dict[str, tuple[str, ...]]] = {
    "greet": (
        "hi, I'm new here",
        "hello, my name is Anna",
        "good morning, I am a foreigner living in Hue",
        "hey there",
        "hello, is this the ward office",
        "hi, good morning to you",
        "greetings",
    ),
    "goodbye": ("ok bye", "I have to go now, bye", "talk later", "see you tomorrow", "cheers, bye"),
    "thanks": (
        "thank you, that's all",
        "okay thanks",
        "thank you very much",
        "thanks for the help",
        "great, thanks",
        "much appreciated",
        "that's very kind, thank you",
    ),
    "affirm": (
        "yes it is",
        "yep",
        "right",
        "exactly",
        "that is correct",
        "ok sure",
        "absolutely",
        "of course",
        "yes, go on",
    ),
    "deny": (
        "no thank you",
        "no, I don't",
        "not now",
        "no",
        "no thanks",
        "that's not it",
        "incorrect",
        "not that one",
        "no, that's wrong",
        "not at all",
    ),
    "start_procedure": (
        "giấy kết hôn của tôi ghi sai ngày sinh của vợ, tôi cần đính chính",
        "tên trong giấy khai tử của ba tôi bị viết nhầm, tôi muốn sửa",
        "năm sinh trên giấy khai sinh bị sai, làm sao sửa lại",
        "tui muốn bổ sung tên cha vào giấy khai sinh cho con",
        "tôi muốn làm lại giấy khai sinh vì bản cũ bị rách",
        "giấy khai sinh của mẹ tui mất rồi, xin cấp lại bản sao",
        "I want to register the birth of my son",
        "I need to register my father's death",
        "we would like to register our marriage",
        "I need a certificate of single status",
        "I want to get some documents certified",
        "I need a copy of my birth record",
        "I would like to apply for temporary residence",
        "please start a building permit application for me",
        "I want to open a small shop and register it",
        "my mother needs the social pension, I want to apply for her",
        "I need my signature certified on a contract",
        "can you help me register my permanent address here",
        "I'd like to fix an error in my marriage certificate",
        "sign me up for the elderly allowance",
    ),
    "ask_requirements": (
        "làm giấy tạm trú có cần hợp đồng thuê nhà không",
        "đăng ký kết hôn có cần khám sức khỏe không",
        "làm khai sinh có cần giấy kết hôn của bố mẹ không",
        "xin phép xây nhà có cần sổ đỏ không",
        "chứng thực có cần mang bản chính không",
        "hộ kinh doanh có cần bản vẽ mặt bằng không",
        "cần những gì",
        "phải mang theo giấy gì",
        "hồ sơ gồm những gì",
        "what do I need to bring",
        "which papers do I need",
        "what documents are needed",
        "what do I need to register a birth",
        "do I have to bring the original documents",
        "what papers must a foreigner provide to marry here",
        "what is needed to get a certificate of no impediment",
        "list of documents for temporary residence please",
        "what are the requirements",
        "do I need photos for this",
        "how do I apply and what should I prepare",
        "what do they ask for when registering a business",
    ),
    "ask_fee": (
        "how much is it",
        "how much does it cost",
        "is there a fee",
        "what's the price",
        "is it free of charge",
        "how much should I pay for certified copies",
        "what is the fee for registering a death",
        "do foreigners pay more",
        "any charges for the marital status certificate",
        "cost of a building permit",
        "is there a fine if I register the birth late",
    ),
    "ask_processing_time": (
        "how long will it take",
        "how long does it take",
        "when will it be ready",
        "how many days",
        "can I get it today",
        "will it be done by tomorrow",
        "how long is the processing time for residence registration",
        "when can I pick up the certificate",
        "how soon will the permit be issued",
        "is it processed on the same day",
    ),
    "check_status": (
        "what's the status of my request",
        "is my certificate ready",
        "did you process my file",
        "what is the status",
        "check my application status",
        "is my file done yet",
        "I submitted last week, any progress",
        "has my request been approved",
        "why is my application taking so long",
        "can you look up my application",
        "what happened to the papers I submitted",
    ),
    "list_applications": (
        "show me all my requests",
        "which applications have I submitted",
        "list everything I have applied for",
        "what did I submit before",
        "my previous applications",
        "history of my applications",
        "show me what I've sent so far",
    ),
    "pay_fee": (
        "I want to pay now",
        "how can I pay",
        "where do I send the money",
        "give me the payment QR",
        "I'd like to pay by transfer",
        "payment please",
        "I already transferred the money",
        "can I pay with my banking app",
    ),
    "talk_to_human": (
        "can I get help from a real person",
        "I prefer to talk to an officer",
        "let me talk to someone",
        "I want a real person",
        "can a staff member help me",
        "please connect me with an officer",
        "I need to speak with somebody at the office",
        "is there a human I can chat with",
        "can someone call me",
        "agent please",
    ),
    "cancel": (
        "cancel it",
        "cancel please",
        "stop please",
        "I changed my mind",
        "withdraw my application",
        "delete this request",
        "I don't want to do this anymore",
        "forget about it",
    ),
    "go_back": (
        "back please",
        "go to the previous step",
        "I typed the wrong thing, let me redo it",
        "return to the last question",
        "I want to change my previous answer",
        "step back",
    ),
    "change_language": (
        "English, please",
        "can we talk in English",
        "please use English",
        "switch the language",
        "change to Vietnamese",
        "my Vietnamese is bad",
        "do you have English",
    ),
    "office_info": (
        "where is the office",
        "what are your opening hours",
        "when are you open",
        "are you open on Sunday",
        "what is the address of the People's Committee",
        "how do I find the ward office",
        "is the office open at lunchtime",
        "where is the police station for residence registration",
    ),
    "out_of_scope": (
        "what's the best coffee shop",
        "how do I get to the airport",
        "where can I buy medicine",
        "where can I buy a SIM card",
        "what's the best pho in town",
        "I need a taxi",
        "how is the weather today",
        "can you translate this letter",
        "I need a work permit",
        "how do I renew my passport",
        "where is the nearest hospital",
        "tell me about Hue citadel",
        "good restaurants near me",
        "what time is it in London",
        "I want to rent an apartment",
    ),
}

# Long, polite messages with family context, written out by hand.
VERBOSE: Final[tuple[tuple[str, str], ...]] = (
    (
        "dạ thưa cháu, bác năm nay bảy mươi hai tuổi rồi, con gái bác mới sinh em bé"
        " ở bệnh viện trung ương tuần trước, nó bận quá nên nhờ bác đi làm giấy khai"
        " sinh cho cháu, cháu chỉ giùm bác với",
        "start_procedure",
    ),
    (
        "chào o, tui là mệ Hoa ở kiệt 12 Phan Đình Phùng, ông nhà tui mới mất hôm kia,"
        " con cháu ở xa hết, tui muốn hỏi làm khai tử thì cần đem theo giấy tờ chi",
        "ask_requirements",
    ),
    (
        "xin lỗi làm phiền cháu, bác có thằng con trai sắp cưới vợ người Đà Nẵng, nó"
        " nhờ bác hỏi giùm đăng ký kết hôn ở phường mình thì mất bao nhiêu tiền",
        "ask_fee",
    ),
    (
        "cháu ơi bác hỏi chút, tuần trước bác có nộp hồ sơ xin trợ cấp cho ông già"
        " nhà bác, năm nay ông tám mươi mốt tuổi rồi, chừ không biết hồ sơ tới mô rồi",
        "check_status",
    ),
    (
        "thưa cô chú, tôi có căn nhà cấp bốn cũ ở đường Lê Lợi, mưa dột quá muốn làm"
        " lại cái mái và xây thêm một tầng, cho tôi hỏi xin giấy phép xây dựng mất mấy ngày",
        "ask_processing_time",
    ),
    (
        "dạ con chào cô, con là sinh viên ở trọ gần chợ Bến Ngự, chủ nhà nói con phải"
        " đăng ký tạm trú, con muốn làm luôn hôm nay được không cô",
        "start_procedure",
    ),
    (
        "bác có mấy cái giấy tờ đất với sổ đỏ cần sao y để nộp cho ngân hàng, con bác"
        " nói phường làm được, rứa bác phải trả mấy tiền một trang hả cháu",
        "ask_fee",
    ),
    (
        "tui già rồi mắt kém không đọc được chữ trên điện thoại, mấy cái nút ni tui"
        " không biết bấm, cháu cho tui nói chuyện với người nào ở phường được không",
        "talk_to_human",
    ),
    (
        "chào em, chị mới về làm dâu ở Huế, giờ chị muốn nhập hộ khẩu vô nhà chồng,"
        " em cho chị biết cần chuẩn bị những giấy gì nhé",
        "ask_requirements",
    ),
    (
        "dạ thưa, mẹ tôi năm nay tám mươi tuổi, nghe nói người già được nhận tiền"
        " trợ cấp hằng tháng, tôi muốn làm hồ sơ xin tiền già cho mẹ",
        "start_procedure",
    ),
    (
        "hôm trước bác đã nộp hồ sơ rồi mà giờ con bác nói không cần làm nữa vì nó"
        " đã làm ở Sài Gòn rồi, rứa cháu hủy giùm bác hồ sơ đó nghe",
        "cancel",
    ),
    (
        "cho bác hỏi chút, ủy ban phường mình chừ dời về chỗ mới rồi phải không, bác"
        " không biết đường đi, ở mô rứa cháu",
        "office_info",
    ),
    (
        "bác đã đi ngân hàng chuyển tiền lệ phí rồi mà không biết đã tới chưa, cháu"
        " gửi lại cái mã để bác trả bằng điện thoại cho chắc",
        "pay_fee",
    ),
    (
        "good morning, I am a teacher from Australia living in Hue with my Vietnamese"
        " wife, we would like to register our marriage, what do we need to prepare",
        "ask_requirements",
    ),
    (
        "hello, my name is John, I moved to Phu Xuan last month and my landlord told"
        " me I have to register my temporary residence, can I do it here",
        "start_procedure",
    ),
    (
        "em chào chị, em là người Quảng Nam ra Huế làm công nhân được ba tháng, công ty"
        " bảo em phải có xác nhận tạm trú mới ký hợp đồng được, chị cho em hỏi cần mang"
        " theo những giấy tờ gì",
        "ask_requirements",
    ),
    (
        "cháu ơi, ông bà nội thằng cu mất hết rồi, bố nó thì đi biển, bác là bác ruột"
        " nó, bác có được đi làm giấy khai sinh thay không, mà làm thì mất bao nhiêu tiền",
        "ask_fee",
    ),
    (
        "tôi làm hồ sơ vay vốn ngân hàng, họ cần bản sao có chứng thực sổ đỏ và căn cước"
        " của hai vợ chồng, tôi mang bản chính ra phường thì bao lâu thì lấy được",
        "ask_processing_time",
    ),
    (
        "thưa cán bộ, ba tôi năm nay tám mươi lăm tuổi, không có lương hưu, tôi nghe"
        " nói nhà nước có trợ cấp hằng tháng cho người cao tuổi, vậy hồ sơ cần những gì",
        "ask_requirements",
    ),
    (
        "chị ơi con trai em ở Hà Nội muốn làm thủ tục kết hôn với bạn gái người Huế,"
        " nó cần giấy xác nhận độc thân ở quê, chị cho em xin làm giấy đó cho nó",
        "start_procedure",
    ),
    (
        "dạ cháu chào cô, hôm trước cháu gửi hồ sơ đăng ký thường trú cho mẹ cháu rồi,"
        " cô xem giúp cháu hồ sơ đã được duyệt hay còn thiếu gì không ạ",
        "check_status",
    ),
    (
        "anh ơi cho em hỏi chút, em vừa cưới vợ được một tháng, giờ muốn chuyển khẩu"
        " vợ từ Quảng Trị vào nhà em, mà em đi làm cả ngày, làm qua mạng mấy ngày thì xong",
        "ask_processing_time",
    ),
    (
        "thưa cô, tôi già rồi không quen dùng điện thoại, con cháu đi làm hết, cô cho"
        " một người cán bộ gọi điện hướng dẫn tôi với, chứ tôi đọc chữ không nổi",
        "talk_to_human",
    ),
    (
        "xin lỗi cô, tôi bấm nhầm, cái tên tôi vừa gõ vào bị sai chính tả mất rồi,"
        " cô cho tôi trở lại bước trước để gõ lại",
        "go_back",
    ),
    (
        "bác đã làm xong hết các bước rồi, giờ bác muốn đóng tiền lệ phí luôn cho xong,"
        " bác dùng thẻ Agribank được không cháu",
        "pay_fee",
    ),
    (
        "chào cháu, bác muốn hỏi chút, hôm nay là thứ bảy thì ủy ban phường có ai trực"
        " không, bác định lên nộp giấy tờ buổi sáng",
        "office_info",
    ),
    (
        "cảm ơn cháu nhiều nghe, bác làm xong rồi, mấy bữa nữa có giấy bác lên lấy,"
        " chúc cháu mạnh khỏe làm việc vui vẻ",
        "thanks",
    ),
    (
        "dạ thưa, tôi xin lỗi đã làm phiền, thực ra tôi không cần làm nữa vì con tôi đã"
        " làm giùm ở chỗ khác rồi, tôi xin rút lại hồ sơ",
        "cancel",
    ),
    (
        "cháu ơi, ông nhà bác hôm qua đi khám bác sĩ nói bị cao huyết áp, cháu biết"
        " thuốc nào tốt không chỉ bác với",
        "out_of_scope",
    ),
    (
        "con chào cô, nhà con sắp sửa lại mái tôn và nâng nền, cô cho con hỏi có phải"
        " xin phép gì không, nếu phải thì tốn bao nhiêu tiền",
        "ask_fee",
    ),
    (
        "hi, I'm from Korea and my husband is Vietnamese, we had a baby girl last month"
        " at Hue Central Hospital, we want to register her birth, what papers do we need",
        "ask_requirements",
    ),
    (
        "hello, I rent a room in Phu Xuan and I am working at an English center,"
        " the police said I must declare my temporary residence, how much does it cost",
        "ask_fee",
    ),
    (
        "good afternoon, I applied for a certified copy of my degree two days ago"
        " and I still have not received anything, could you check where it is",
        "check_status",
    ),
    (
        "sorry, my Vietnamese is very limited and the instructions are hard to follow,"
        " could somebody from the office contact me directly",
        "talk_to_human",
    ),
)


def annotate(name: str, slug: str) -> str:
    """Rasa entity annotation; a synonym value when the text is not the slug itself."""
    if name == slug:
        return f"[{name}](procedure)"
    return "[" + name + "]" + json.dumps({"entity": "procedure", "value": slug}, ensure_ascii=False)


def _frame_examples(rng: random.Random) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    slugs = sorted(NAMES)
    for intent, frames in FRAMES.items():
        lines: list[str] = []
        for k, frame in enumerate(frames):
            english = frame[0].isascii() and not any(
                w in frame for w in ("làm", "lam", "mần", "tui")
            )
            picks = [slugs[(k * 5 + j * 7) % len(slugs)] for j in range(4)]
            for slug in picks:
                names = [n for n in NAMES[slug] if n.isascii() == english] or list(NAMES[slug])
                name = rng.choice(names)
                text = frame.replace("{p}", annotate(name, slug))
                lines.append(text)
                if not english and rng.random() < 0.35:
                    lines.append(frame.replace("{p}", annotate(fold(name), slug)))
        out[intent] = lines
    return out


def _plain(examples: tuple[str, ...], rng: random.Random) -> list[str]:
    lines = list(examples)
    for text in examples:
        if not text.isascii() and rng.random() < 0.3 and fold(text) not in lines:
            lines.append(fold(text))
    return lines


def _block(lines: list[str]) -> str:
    seen: list[str] = []
    for line in lines:
        if line not in seen:
            seen.append(line)
    return "".join(f"      - {line}\n" for line in seen)


def _write(path: Path, items: list[tuple[str, str, list[str]]]) -> None:
    parts = ['version: "3.1"\n', "nlu:\n"]
    for kind, name, lines in items:
        parts.append(f"  - {kind}: {name}\n    examples: |\n{_block(lines)}")
    path.write_text("".join(parts), encoding="utf-8")


def build(data_dir: Path = DATA_DIR) -> None:
    rng = random.Random(20260)
    framed = _frame_examples(rng)
    verbose: dict[str, list[str]] = {}
    for text, intent in VERBOSE:
        verbose.setdefault(intent, []).append(text)

    def lines_for(intent: str) -> list[str]:
        return (
            framed.get(intent, [])
            + _plain(EXAMPLES.get(intent, ()), rng)
            + list(EXAMPLES_EN.get(intent, ()))
            + verbose.get(intent, [])
        )

    groups = {
        "smalltalk.yml": ("greet", "goodbye", "thanks", "affirm", "deny", "out_of_scope"),
        "procedures.yml": ("start_procedure", "ask_requirements", "ask_fee", "ask_processing_time"),
        "applications.yml": ("check_status", "list_applications", "pay_fee"),
        "control.yml": ("talk_to_human", "cancel", "go_back", "change_language", "office_info"),
    }
    extra_start = [annotate(n, s) for s, names in NAMES.items() for n in names[:3]]
    for filename, intents in groups.items():
        items = []
        for intent in intents:
            lines = lines_for(intent)
            if intent == "start_procedure":
                lines += extra_start
            items.append(("intent", intent, lines))
        _write(data_dir / filename, items)
    entity_items: list[tuple[str, str, list[str]]] = []
    aliases = default_lexicon().aliases  # the catalog's words and the NLU-only ones
    for slug in sorted(aliases):
        surfaces = sorted({*aliases[slug], *(fold(n) for n in NAMES.get(slug, ()))} - {slug})
        entity_items.append(("synonym", slug, surfaces))
    entity_items.append(("lookup", "procedure", sorted({a for al in aliases.values() for a in al})))
    entity_items.append(
        ("regex", "tracking_code", [r"[A-Za-z]{2}[- ]?20\d\d[- ]?[2-9A-HJ-NP-Za-hj-np-z]{6}"])
    )
    entity_items.append(("regex", "citizen_id", [r"\d{3}[ .]?\d{3}[ .]?\d{3}[ .]?\d{3}"]))
    entity_items.append(("regex", "phone", [r"(\+84|0)[ .]?\d{2,3}[ .]?\d{3}[ .]?\d{3,4}"]))
    _write(data_dir / "entities.yml", entity_items)


if __name__ == "__main__":
    build()
