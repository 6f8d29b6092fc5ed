"""Hangul in Latin letters by the Revised Romanization, with the examples of the standard itself."""
import pytest

from generator.site.romanization import romanize_hangul


@pytest.mark.parametrize("hangul, latin", [
    ("보톡스 시술 후 관리", "botokseu sisul hu gwalli"),
    ("백마", "baengma"), ("종로", "jongno"), ("왕십리", "wangsimni"), ("독립문", "dongnimmun"),  # nasal
    ("신라", "silla"), ("별내", "byeollae"), ("울릉", "ulleung"),  # ㄹ next to ㄴ or ㄹ
    ("해돋이", "haedoji"), ("같이", "gachi"),  # palatal
    ("좋고", "joko"), ("놓다", "nota"), ("묵호", "mukho"),  # aspiration, not in nouns
    ("압구정", "apgujeong"), ("낙동강", "nakdonggang"),  # tensing is not written
    ("읽어", "ilgeo"), ("않아", "ana"), ("없어", "eopseo"), ("닭", "dak"),  # two-letter finals
    ("광희문", "gwanghuimun"), ("HA 필러 1편!", "HA pilleo 1pyeon!"),
], ids=lambda value: value)
def test_romanize_hangul(hangul, latin):
    assert romanize_hangul(hangul) == latin
