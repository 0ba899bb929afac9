"""The CPV vocabulary: lookups, normalisation and the tree in the digits."""
from services.contracts import cpv


def test_vocabulary_holds_every_code_of_cpv_2008():
    assert len(cpv.vocabulary()) == 9454
    assert all(len(code) == 8 and code.isdigit() for code in cpv.vocabulary())


def test_known_codes_and_labels():
    assert cpv.is_known("45000000")
    assert cpv.label("45000000") == "Construction work"
    assert not cpv.is_known("99999999")
    assert cpv.label("99999999") is None


def test_a_code_written_with_its_check_digit_is_the_same_code():
    assert cpv.normalise("45000000-7") == "45000000"
    assert cpv.is_known("45000000-7")
    assert cpv.normalise("4500") is None
    assert cpv.normalise(45000000) is None


def test_division_and_significant_prefix():
    assert cpv.division("45233120") == "45000000"
    assert cpv.significant_prefix("39110000") == "3911"
    assert cpv.significant_prefix("03000000") == "03"
    assert cpv.significant_prefix("45233120") == "4523312"


def test_search_prefix_reads_a_full_code_as_its_subtree():
    assert cpv.search_prefix("39000000") == "39"
    assert cpv.search_prefix("391") == "391"
    assert cpv.search_prefix("39x") is None
    assert cpv.search_prefix("") is None


def test_is_under_and_unknown():
    assert cpv.is_under("39111000", "39100000")
    assert not cpv.is_under("39211000", "39100000")
    assert cpv.unknown(["45000000", "12345678"]) == ["12345678"]
