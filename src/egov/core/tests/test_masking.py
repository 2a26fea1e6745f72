"""Masking worked by hand: each expected value is written out character by character."""

from egov.core.masking import graphemes, mask_id_number, mask_person_name, mask_phone


def test_names_keep_the_surname():
    assert mask_person_name("张三") == "张*"
    assert mask_person_name("张三丰") == "张**"
    assert mask_person_name("欧阳修明") == "欧阳**"
    assert mask_person_name("司马光") == "司马*"
    # A two-character name starting with a compound surname's characters: surname 欧, given name 阳.
    assert mask_person_name("欧阳") == "欧*"
    assert mask_person_name("  李四 ") == "李*"
    assert mask_person_name("") == ""


def test_names_outside_the_basic_plane_count_once():
    # 𠮷 is U+20BB7 (CJK Extension B): one character, never split into halves.
    assert mask_person_name("𠮷明") == "𠮷*"
    assert mask_person_name("张𠮷明") == "张**"
    # U+2A700 (Extension C) as a given name; 葛 followed by variation selector U+E0100 is one character.
    assert mask_person_name("王\U0002A700") == "王*"
    assert graphemes("葛\U000E0100亮") == ["葛\U000E0100", "亮"]
    assert mask_person_name("葛\U000E0100亮") == "葛\U000E0100*"


def test_transliterated_names_keep_their_dots():
    assert mask_person_name("阿依古丽·买买提") == "阿***·***"


def test_id_numbers():
    assert mask_id_number("11010519491231002X") == "1101**********002X"
    assert mask_id_number("11010519491231002x") == "1101**********002X"
    assert mask_id_number("12345678") == "12****78"


def test_phones():
    assert mask_phone("13800000000") == "138****0000"
    assert mask_phone("138 0013 8000") == "138****8000"
    assert mask_phone("051085123456") == "********3456"
    assert mask_phone("123") == "***"
