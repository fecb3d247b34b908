import pytest
from crm_contracts import normalize


@pytest.mark.parametrize("a, b", [
    ("上海远洋物流有限公司", "上海远洋物流"),
    ("上海远洋物流股份有限公司", "上海 远洋 物流"),
    ("ACME Logistics Co., Ltd.", "acme logistics"),
    ("ＡＣＭＥ　Ｌｏｇｉｓｔｉｃｓ Inc.", "Acme-Logistics"),
    ("Hanse Spedition GmbH", "HANSE SPEDITION"),
])
def test_names_that_differ_only_in_form_normalise_to_the_same_key(a, b):
    assert normalize.company_name(a) == normalize.company_name(b) != ""


@pytest.mark.parametrize("name, key", [
    ("上海远洋物流有限公司", "上海远洋物流"),
    ("Trading Co. Ltd Company", "trading"),  # suffix after suffix
    ("Co., Ltd.", "co"),  # a suffix as long as what is left stays
    ("有限公司", "有限"),
    ("集团公司集团", "集团"),
    ("Snake_Case Logistics", "snakecaselogistics"),
    ("!!!", ""),
    ("Ⅻ号仓储", "xii号仓储"),
])
def test_a_name_key_strips_legal_forms_from_the_end_but_never_the_whole_name(name, key):
    assert normalize.company_name(name) == key


def test_different_companies_keep_different_keys():
    assert normalize.company_name("Acme Logistics") != normalize.company_name("Acme Freight")


@pytest.mark.parametrize("raw", ["+86 138 0013 8000", "138-0013-8000", "(+86)13800138000",
                                 "８６１３８００１３８０００"])
def test_phones_in_any_common_format_become_e164(raw):
    assert normalize.phone(raw) == "+8613800138000"


def test_an_invalid_phone_is_none():
    assert normalize.phone("12") is None
