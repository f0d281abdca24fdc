"""Targeting dictionaries (what GET /resources/targeting/{type} lists) and their delivery shares.

Codes are the real ones: Nielsen DMA codes for US metros (LOCATION), ISO 3166-1 for countries,
ISO 3166-2 for regions. Each entry carries a relative weight (roughly population or TV homes) so
that breakdowns look believable: New York outweighs Reno.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping

# DMA code -> (Pinterest-style label, TV homes in millions)
_DMAS: tuple[tuple[str, str, float], ...] = (
    ("501", "New York", 7.7), ("803", "Los Angeles", 5.8), ("602", "Chicago", 3.5),
    ("504", "Philadelphia", 3.1), ("623", "Dallas-Ft. Worth", 3.0),
    ("807", "San Francisco-Oakland-San Jose", 2.6), ("524", "Atlanta", 2.6),
    ("618", "Houston", 2.6), ("511", "Washington, DC (Hagerstown)", 2.5),
    ("506", "Boston (Manchester)", 2.5), ("753", "Phoenix (Prescott)", 2.1),
    ("819", "Seattle-Tacoma", 2.0), ("539", "Tampa-St. Petersburg (Sarasota)", 2.0),
    ("613", "Minneapolis-St. Paul", 1.8), ("505", "Detroit", 1.9), ("751", "Denver", 1.8),
    ("534", "Orlando-Daytona Beach-Melbourne", 1.7), ("528", "Miami-Ft. Lauderdale", 1.7),
    ("510", "Cleveland-Akron (Canton)", 1.5), ("862", "Sacramento-Stockton-Modesto", 1.5),
    ("517", "Charlotte", 1.3), ("560", "Raleigh-Durham (Fayetteville)", 1.3),
    ("820", "Portland, OR", 1.3), ("609", "St. Louis", 1.2), ("527", "Indianapolis", 1.1),
    ("508", "Pittsburgh", 1.1), ("659", "Nashville", 1.1), ("512", "Baltimore", 1.1),
    ("770", "Salt Lake City", 1.1), ("825", "San Diego", 1.1), ("641", "San Antonio", 1.0),
    ("533", "Hartford & New Haven", 1.0), ("535", "Columbus, OH", 1.0),
    ("616", "Kansas City", 1.0), ("635", "Austin", 0.9), ("515", "Cincinnati", 0.9),
    ("567", "Greenville-Spartanburg-Asheville-Anderson", 0.9), ("617", "Milwaukee", 0.9),
    ("548", "West Palm Beach-Ft. Pierce", 0.9), ("839", "Las Vegas", 0.8),
    ("561", "Jacksonville", 0.8), ("566", "Harrisburg-Lancaster-Lebanon-York", 0.8),
    ("563", "Grand Rapids-Kalamazoo-Battle Creek", 0.8),
    ("544", "Norfolk-Portsmouth-Newport News", 0.7), ("630", "Birmingham (Anniston & Tuscaloosa)",
                                                      0.7),
    ("518", "Greensboro-High Point-Winston Salem", 0.7), ("650", "Oklahoma City", 0.7),
    ("790", "Albuquerque-Santa Fe", 0.7), ("529", "Louisville", 0.7),
    ("622", "New Orleans", 0.65), ("640", "Memphis", 0.6),
    ("521", "Providence-New Bedford", 0.6), ("571", "Ft. Myers-Naples", 0.6),
    ("514", "Buffalo", 0.6), ("866", "Fresno-Visalia", 0.6), ("556", "Richmond-Petersburg", 0.6),
    ("686", "Mobile-Pensacola (Ft. Walton Beach)", 0.55),
    ("693", "Little Rock-Pine Bluff", 0.55), ("577", "Wilkes Barre-Scranton-Hazleton", 0.55),
    ("557", "Knoxville", 0.55), ("671", "Tulsa", 0.55), ("532", "Albany-Schenectady-Troy", 0.5),
    ("541", "Lexington", 0.5), ("542", "Dayton", 0.5), ("789", "Tucson (Sierra Vista)", 0.5),
    ("881", "Spokane", 0.45), ("679", "Des Moines-Ames", 0.45), ("744", "Honolulu", 0.45),
    ("652", "Omaha", 0.45), ("757", "Boise", 0.4), ("500", "Portland-Auburn", 0.4),
    ("811", "Reno", 0.3),
)
DMA_NAMES: Mapping[str, str] = {code: f"U.S.: {name}" for code, name, _ in _DMAS}
DMA_WEIGHTS: Mapping[str, float] = {code: w for code, _, w in _DMAS}

COUNTRY_NAMES: Mapping[str, str] = {
    "US": "United States", "CA": "Canada", "MX": "Mexico", "BR": "Brazil", "AR": "Argentina",
    "CL": "Chile", "CO": "Colombia", "GB": "United Kingdom", "IE": "Ireland", "FR": "France",
    "DE": "Germany", "AT": "Austria", "CH": "Switzerland", "IT": "Italy", "ES": "Spain",
    "PT": "Portugal", "NL": "Netherlands", "BE": "Belgium", "LU": "Luxembourg", "DK": "Denmark",
    "SE": "Sweden", "NO": "Norway", "FI": "Finland", "PL": "Poland", "CZ": "Czechia",
    "SK": "Slovakia", "HU": "Hungary", "RO": "Romania", "GR": "Greece", "CY": "Cyprus",
    "MT": "Malta", "AU": "Australia", "NZ": "New Zealand", "JP": "Japan", "KR": "South Korea",
    "SG": "Singapore", "HK": "Hong Kong", "IN": "India", "IL": "Israel",
    "AE": "United Arab Emirates",    "ZA": "South Africa", "TR": "Türkiye",
}

# ISO 3166-2 region code -> (name, population in millions), per country.
_REGIONS: Mapping[str, tuple[tuple[str, str, float], ...]] = {
    "US": (
        ("US-CA", "California", 39.0), ("US-TX", "Texas", 30.0), ("US-FL", "Florida", 22.0),
        ("US-NY", "New York", 19.6), ("US-PA", "Pennsylvania", 13.0), ("US-IL", "Illinois", 12.5),
        ("US-OH", "Ohio", 11.8), ("US-GA", "Georgia", 11.0), ("US-NC", "North Carolina", 10.7),
        ("US-MI", "Michigan", 10.0), ("US-NJ", "New Jersey", 9.3), ("US-VA", "Virginia", 8.7),
        ("US-WA", "Washington", 7.8), ("US-AZ", "Arizona", 7.4), ("US-TN", "Tennessee", 7.1),
        ("US-MA", "Massachusetts", 7.0), ("US-IN", "Indiana", 6.8), ("US-MO", "Missouri", 6.2),
        ("US-MD", "Maryland", 6.2), ("US-WI", "Wisconsin", 5.9), ("US-CO", "Colorado", 5.9),
        ("US-MN", "Minnesota", 5.7), ("US-SC", "South Carolina", 5.3), ("US-AL", "Alabama", 5.1),
        ("US-LA", "Louisiana", 4.6), ("US-KY", "Kentucky", 4.5), ("US-OR", "Oregon", 4.2),
        ("US-OK", "Oklahoma", 4.0), ("US-CT", "Connecticut", 3.6), ("US-UT", "Utah", 3.4),
        ("US-IA", "Iowa", 3.2), ("US-NV", "Nevada", 3.2), ("US-AR", "Arkansas", 3.0),
        ("US-MS", "Mississippi", 2.9), ("US-KS", "Kansas", 2.9), ("US-NM", "New Mexico", 2.1),
        ("US-NE", "Nebraska", 2.0), ("US-ID", "Idaho", 1.9), ("US-WV", "West Virginia", 1.8),
        ("US-HI", "Hawaii", 1.4), ("US-NH", "New Hampshire", 1.4), ("US-ME", "Maine", 1.4),
        ("US-MT", "Montana", 1.1), ("US-RI", "Rhode Island", 1.1), ("US-DE", "Delaware", 1.0),
        ("US-SD", "South Dakota", 0.9), ("US-ND", "North Dakota", 0.8), ("US-AK", "Alaska", 0.7),
        ("US-DC", "District of Columbia", 0.7), ("US-VT", "Vermont", 0.65),
        ("US-WY", "Wyoming", 0.58),
    ),
    "DE": (
        ("DE-NW", "Nordrhein-Westfalen", 18.0), ("DE-BY", "Bayern", 13.2),
        ("DE-BW", "Baden-Württemberg", 11.1), ("DE-NI", "Niedersachsen", 8.0),
        ("DE-HE", "Hessen", 6.3), ("DE-RP", "Rheinland-Pfalz", 4.1), ("DE-SN", "Sachsen", 4.1),
        ("DE-BE", "Berlin", 3.8), ("DE-SH", "Schleswig-Holstein", 2.9),
        ("DE-BB", "Brandenburg", 2.6), ("DE-ST", "Sachsen-Anhalt", 2.2),
        ("DE-TH", "Thüringen", 2.1), ("DE-HH", "Hamburg", 1.9),
        ("DE-MV", "Mecklenburg-Vorpommern", 1.6), ("DE-SL", "Saarland", 1.0),
        ("DE-HB", "Bremen", 0.7),
    ),
    "GB": (
        ("GB-LND", "London", 8.9), ("GB-MAN", "Manchester", 2.9), ("GB-BIR", "Birmingham", 2.6),
        ("GB-LDS", "Leeds", 1.9), ("GB-GLG", "Glasgow", 1.7), ("GB-LIV", "Liverpool", 1.5),
        ("GB-EDH", "Edinburgh", 0.9), ("GB-BST", "Bristol", 0.9), ("GB-CRF", "Cardiff", 0.5),
        ("GB-BFS", "Belfast", 0.6), ("GB-NET", "Newcastle upon Tyne", 0.8),
        ("GB-SHF", "Sheffield", 0.7), ("GB-NGM", "Nottingham", 0.7),
    ),
    "JP": (
        ("JP-13", "Tokyo", 14.0), ("JP-14", "Kanagawa", 9.2), ("JP-27", "Osaka", 8.8),
        ("JP-23", "Aichi", 7.5), ("JP-11", "Saitama", 7.3), ("JP-12", "Chiba", 6.3),
        ("JP-28", "Hyogo", 5.4), ("JP-01", "Hokkaido", 5.1), ("JP-40", "Fukuoka", 5.1),
        ("JP-22", "Shizuoka", 3.6), ("JP-08", "Ibaraki", 2.8), ("JP-34", "Hiroshima", 2.8),
        ("JP-26", "Kyoto", 2.5), ("JP-04", "Miyagi", 2.3), ("JP-15", "Niigata", 2.2),
        ("JP-20", "Nagano", 2.0), ("JP-47", "Okinawa", 1.5),
    ),
}
REGION_NAMES: Mapping[str, str] = {
    code: name for regions in _REGIONS.values() for code, name, _ in regions
}

# GEO targeting is by postal code ("US:94102"): a handful of busy ones per country.
_GEOS: Mapping[str, tuple[tuple[str, str, float], ...]] = {
    "US": (
        ("US:10001", "New York, NY 10001", 3.0), ("US:90210", "Beverly Hills, CA 90210", 1.5),
        ("US:94102", "San Francisco, CA 94102", 2.0), ("US:60614", "Chicago, IL 60614", 2.2),
        ("US:77002", "Houston, TX 77002", 1.8), ("US:75201", "Dallas, TX 75201", 1.6),
        ("US:30303", "Atlanta, GA 30303", 1.5), ("US:98101", "Seattle, WA 98101", 1.4),
        ("US:02108", "Boston, MA 02108", 1.3), ("US:33101", "Miami, FL 33101", 1.3),
        ("US:80202", "Denver, CO 80202", 1.1), ("US:85004", "Phoenix, AZ 85004", 1.1),
        ("US:97205", "Portland, OR 97205", 0.9), ("US:37203", "Nashville, TN 37203", 0.9),
    ),
    "DE": (
        ("DE:10115", "Berlin 10115", 3.0), ("DE:20095", "Hamburg 20095", 2.0),
        ("DE:80331", "München 80331", 2.2), ("DE:50667", "Köln 50667", 1.5),
        ("DE:60311", "Frankfurt am Main 60311", 1.3), ("DE:70173", "Stuttgart 70173", 1.1),
        ("DE:40213", "Düsseldorf 40213", 1.0), ("DE:04109", "Leipzig 04109", 0.8),
    ),
    "GB": (
        ("GB:EC1A", "London EC1A", 3.0), ("GB:SW1A", "London SW1A", 2.0),
        ("GB:M1", "Manchester M1", 1.6), ("GB:B1", "Birmingham B1", 1.4),
        ("GB:LS1", "Leeds LS1", 1.0), ("GB:G1", "Glasgow G1", 1.0),
        ("GB:EH1", "Edinburgh EH1", 0.8), ("GB:BS1", "Bristol BS1", 0.8),
    ),
    "JP": (
        ("JP:100-0001", "Chiyoda, Tokyo 100-0001", 3.0),
        ("JP:150-0001", "Shibuya, Tokyo 150-0001", 2.5),
        ("JP:530-0001", "Kita, Osaka 530-0001", 2.0),
        ("JP:450-0002", "Nakamura, Nagoya 450-0002", 1.4),
        ("JP:220-0011", "Nishi, Yokohama 220-0011", 1.4),
        ("JP:810-0001", "Chuo, Fukuoka 810-0001", 1.0),
        ("JP:060-0001", "Chuo, Sapporo 060-0001", 0.9),
        ("JP:600-8001", "Shimogyo, Kyoto 600-8001", 0.8),
    ),
}
GEO_NAMES: Mapping[str, str] = {
    code: name for geos in _GEOS.values() for code, name, _ in geos
}

AGE_BUCKETS: Mapping[str, str] = {
    "18-24": "18-24", "25-34": "25-34", "35-44": "35-44", "45-49": "45-49", "50-54": "50-54",
    "55-64": "55-64", "65+": "65+", "unknown": "Unknown",
}
AGE_WEIGHTS: Mapping[str, float] = {
    "18-24": 0.15, "25-34": 0.27, "35-44": 0.21, "45-49": 0.09, "50-54": 0.08, "55-64": 0.10,
    "65+": 0.06, "unknown": 0.04,
}
GENDERS: Mapping[str, str] = {"female": "Female", "male": "Male", "unknown": "Unspecified"}
GENDER_WEIGHTS: Mapping[str, float] = {"female": 0.68, "male": 0.24, "unknown": 0.08}
APPTYPES: Mapping[str, str] = {
    "iphone": "iPhone", "ipad": "iPad", "android_mobile": "Android mobile",
    "android_tablet": "Android tablet", "web": "Web (desktop)", "web_mobile": "Mobile web",
}
APPTYPE_WEIGHTS: Mapping[str, float] = {
    "iphone": 0.38, "android_mobile": 0.24, "web": 0.16, "web_mobile": 0.12, "ipad": 0.07,
    "android_tablet": 0.03,
}
PLACEMENT_WEIGHTS: Mapping[str, float] = {"BROWSE": 0.61, "SEARCH": 0.34, "OTHER": 0.05}
LOCALES: Mapping[str, str] = {
    "en-US": "English (US)", "en-GB": "English (UK)", "de": "German", "fr": "French",
    "es": "Spanish", "it": "Italian", "ja": "Japanese", "pt-BR": "Portuguese (Brazil)",
    "nl": "Dutch", "sv": "Swedish",
}

# Pinterest's top-level interests and a few of their sub-interests (names as in Ads Manager).
INTEREST_TREE: Mapping[str, tuple[str, ...]] = {
    "Home Decor": ("Living Room Decor", "Bedroom Decor", "Kitchen Decor", "Small Spaces",
                   "Holiday Decor"),
    "Food and Drinks": ("Recipes", "Baking", "Cocktails", "Healthy Eating", "Desserts"),
    "Women's Fashion": ("Dresses", "Shoes", "Handbags", "Outfit Ideas", "Jewelry"),
    "DIY and Crafts": ("Home DIY", "Paper Crafts", "Sewing", "Upcycling"),
    "Beauty": ("Hair Styles", "Makeup", "Nail Art", "Skin Care"),
    "Gardening": ("Container Gardens", "Vegetable Gardens", "Garden Design", "Houseplants"),
    "Event Planning": ("Party Ideas", "Holiday Entertaining", "Birthday Parties"),
    "Wedding": ("Wedding Dresses", "Wedding Decor", "Wedding Flowers"),
    "Travel": ("Travel Destinations", "Beach Vacations", "Travel Tips"),
    "Parenting": ("Kids Activities", "Baby Products", "Family Recipes"),
    "Health": ("Fitness", "Wellness", "Yoga"),
    "Men's Fashion": ("Men's Style", "Men's Shoes", "Grooming"),
    "Architecture": ("Modern Architecture", "Interior Architecture"),
    "Art": ("Painting", "Illustration", "Photography"),
    "Design": ("Graphic Design", "Interior Design", "Typography"),
    "Education": ("Teaching Ideas", "Study Tips"),
    "Electronics": ("Smart Home", "Gadgets"),
    "Entertainment": ("Movies", "Music", "Books"),
    "Finance": ("Budgeting", "Saving Money"),
    "Sport": ("Running", "Cycling", "Outdoor Sports"),
    "Animals": ("Dogs", "Cats", "Pet Care"),
    "Quotes": ("Inspirational Quotes", "Funny Quotes"),
    "Vehicles": ("Cars", "Camper Vans"),
    "Children's Fashion": ("Kids Outfits", "Baby Clothes"),
}


def interest_id(name: str) -> str:
    """A stable 12-digit id for an interest name (crc32-based, the same in every process)."""
    return str(900_000_000_000 + zlib.crc32(name.encode("utf-8")) % 100_000_000_000)


INTEREST_NAMES: Mapping[str, str] = {
    interest_id(n): n
    for top, subs in INTEREST_TREE.items()
    for n in (top, *subs)
}
TOP_INTEREST_WEIGHTS: Mapping[str, float] = {
    name: w for name, w in zip(
        INTEREST_TREE,
        (0.18, 0.14, 0.11, 0.09, 0.07, 0.07, 0.05, 0.04, 0.04, 0.04, 0.03, 0.02, 0.02, 0.02,
         0.02, 0.01, 0.01, 0.01, 0.01, 0.01, 0.005, 0.005, 0.005, 0.005),
        strict=True,
    )
}

KEYWORDS: tuple[str, ...] = (
    "living room ideas", "christmas decor ideas", "home decor", "bedroom inspiration",
    "kitchen organization", "holiday gift ideas", "patio furniture", "small apartment ideas",
    "gift ideas for mom", "fall decor", "boho decor", "farmhouse kitchen", "wall art",
    "outdoor lighting ideas", "bathroom remodel", "cozy bedroom", "garden ideas",
    "thanksgiving table", "minimalist home", "home office setup",
)


_AUDIENCE_KINDS = (
    "Site visitors – 30 days", "Customer list – past purchasers", "Engaged with Pins – 60 days",
    "Actalike 1% – purchasers",
)


def audience_ids_for(account_index: int) -> list[str]:
    """Ids of an account's audiences (customer lists, visitors), as Pinterest prints them."""
    base = 2_542_620_000_000 + account_index * 1_000_000
    return [str(base + 1733 * (i + 1)) for i in range(len(_AUDIENCE_KINDS))]


# Audiences of the world's accounts (indices 0-9 cover every account of the fixed cast).
AUDIENCE_NAMES: Mapping[str, str] = {
    aid: name for index in range(10)
    for aid, name in zip(audience_ids_for(index), _AUDIENCE_KINDS, strict=True)
}


def region_weights(country: str) -> dict[str, float]:
    return {code: w for code, _, w in _REGIONS.get(country, _REGIONS["US"])}


def geo_weights(country: str) -> dict[str, float]:
    return {code: w for code, _, w in _GEOS.get(country, _GEOS["US"])}


def targeting_options(targeting_type: str) -> dict[str, str] | None:
    """The id -> label mapping GET /resources/targeting/{targeting_type} returns (None: unknown)."""
    tables: dict[str, Mapping[str, str]] = {
        "APPTYPE": APPTYPES,
        "GENDER": GENDERS,
        "LOCALE": LOCALES,
        "AGE_BUCKET": AGE_BUCKETS,
        "LOCATION": {**DMA_NAMES, **{c: f"{COUNTRY_NAMES.get(c[:2], c[:2])}: {n}"
                                     for c, n in REGION_NAMES.items()}},
        "GEO": {**COUNTRY_NAMES, **GEO_NAMES},
        "INTEREST": INTEREST_NAMES,
        "KEYWORD": {k: k for k in KEYWORDS},
        "AUDIENCE_INCLUDE": AUDIENCE_NAMES,
        "AUDIENCE_EXCLUDE": AUDIENCE_NAMES,
    }
    table = tables.get(targeting_type)
    return None if table is None else dict(table)
