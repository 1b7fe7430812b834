"""The sixteen voivodeships by the first two digits of a TERYT code (GUS, TERC register), for grouping the
index of local governments: a national release has 2,807 of them."""

from __future__ import annotations

# TERC code → (Polish adjective as the register writes it, English name).
VOIVODESHIPS: dict[str, tuple[str, str]] = {
    "02": ("dolnośląskie", "Lower Silesian"),
    "04": ("kujawsko-pomorskie", "Kuyavian-Pomeranian"),
    "06": ("lubelskie", "Lublin"),
    "08": ("lubuskie", "Lubusz"),
    "10": ("łódzkie", "Łódź"),
    "12": ("małopolskie", "Lesser Poland"),
    "14": ("mazowieckie", "Masovian"),
    "16": ("opolskie", "Opole"),
    "18": ("podkarpackie", "Subcarpathian"),
    "20": ("podlaskie", "Podlaskie"),
    "22": ("pomorskie", "Pomeranian"),
    "24": ("śląskie", "Silesian"),
    "26": ("świętokrzyskie", "Holy Cross"),
    "28": ("warmińsko-mazurskie", "Warmian-Masurian"),
    "30": ("wielkopolskie", "Greater Poland"),
    "32": ("zachodniopomorskie", "West Pomeranian"),
}


def voivodeship_of(teryt: str) -> str:
    """The voivodeship code of a TERYT code: its first two digits."""
    return teryt[:2]
