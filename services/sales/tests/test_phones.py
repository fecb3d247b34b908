"""The import's fast E.164 path agrees with the shared normaliser."""

from __future__ import annotations

import random

from crm_contracts import normalize
from crm_sales import phones


def test_the_fast_path_gives_what_phonenumbers_gives_for_every_shape():
    rng = random.Random(11)
    samples = []
    for _ in range(4000):
        digits = "1" + "".join(rng.choice("0123456789") for _ in range(10))
        samples += [digits, f"+86{digits}", f"+86 {digits[:3]} {digits[3:7]} {digits[7:]}",
                    f"{digits[:3]}-{digits[3:7]}-{digits[7:]}", f"86{digits}", f"0{digits}"]
    samples += ["021-6123 4567", "+49 30 123456", "12", "", "１３９１２３４５６７８"]

    assert [phones.e164(s) for s in samples] == [normalize.phone(s) for s in samples]
