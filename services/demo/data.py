"""Demo content: social enterprises, clients, offers, support statements and case studies per site.

Names are invented; towns, postcodes and NUTS-3 regions are real.
"""
from __future__ import annotations

# (kind, name, registration number, street, postcode, town, nuts3, lat, lon, segment, workers)
SE, CLIENT, PUBLIC = "social_enterprise", "economic_enterprise", "public_institution"

ORGANISATIONS = {
    "AT11": [
        (SE, "Pannonische Holzwerkstatt", "FN 401122 b", "Ruster Straße 12", "7000", "Eisenstadt", "AT112",
         47.8456, 16.5290, "second_labour_market", 18),
        (SE, "Südburgenländische Textilwerkstatt", "ZVR 118273645", "Hauptplatz 4", "7400", "Oberwart", "AT113",
         47.2880, 16.2040, "third_labour_market", 11),
        (CLIENT, "Seewinkel Weinkellerei GmbH", "FN 298811 k", "Obere Hauptstraße 30", "7100", "Neusiedl am See",
         "AT112", 47.9490, 16.8420, None, None),
        (PUBLIC, "Freistadt Eisenstadt", "GKZ 10101", "Hauptstraße 35", "7000", "Eisenstadt", "AT112",
         47.8460, 16.5270, None, None),
    ],
    "AT12": [
        (SE, "Traisentaler Beschäftigungswerkstatt", "ZVR 512347781", "Kremser Landstraße 55", "3100",
         "St. Pölten", "AT123", 48.2160, 15.6240, "second_labour_market", 42),
        (SE, "Mostviertler Metallwerk", "FN 455210 z", "Ybbsstraße 21", "3300", "Amstetten", "AT121",
         48.1220, 14.8720, "second_labour_market", 27),
        (SE, "Grünraum Wiener Neustadt", "ZVR 338876102", "Neunkirchner Straße 80", "2700", "Wiener Neustadt",
         "AT122", 47.8130, 16.2330, "third_labour_market", 15),
        (CLIENT, "Donauland Handels AG", "FN 112233 m", "Schillerstraße 3", "2340", "Mödling", "AT127",
         48.0850, 16.2830, None, None),
        (PUBLIC, "Stadtgemeinde St. Pölten", "GKZ 30201", "Rathausplatz 1", "3100", "St. Pölten", "AT123",
         48.2040, 15.6230, None, None),
        (SE, "Waldviertler Spielzeugwerkstatt", "ZVR 774512093", "Landstraße 32", "3910", "Zwettl", "AT124",
         48.6033, 15.1686, "second_labour_market", 19),
        (SE, "Weinviertler Werkstätte Hollabrunn", "FN 488120 w", "Amtsgasse 7", "2020", "Hollabrunn", "AT125",
         48.5620, 16.0790, "third_labour_market", 12),
    ],
    "AT13": [
        (SE, "Wiener Nähwerkstatt Favoriten", "ZVR 901223344", "Laxenburger Straße 90", "1100", "Wien", "AT130",
         48.1720, 16.3780, "second_labour_market", 35),
        (SE, "Kantine Brigittenau", "FN 377654 d", "Wallensteinstraße 14", "1200", "Wien", "AT130",
         48.2300, 16.3720, "second_labour_market", 22),
        (SE, "Sauber & Sozial Reinigung", "FN 366102 r", "Brünner Straße 131", "1210", "Wien", "AT130",
         48.2780, 16.4070, "third_labour_market", 48),
        (CLIENT, "Ringstraßen Modehaus GmbH", "FN 154321 t", "Kärntner Straße 19", "1010", "Wien", "AT130",
         48.2050, 16.3710, None, None),
        (PUBLIC, "Bezirksvorstehung Favoriten", "GKZ 91001", "Keplerplatz 5", "1100", "Wien", "AT130",
         48.1760, 16.3770, None, None),
    ],
    "AT22": [
        (SE, "Grazer Upcycling-Manufaktur", "ZVR 623419987", "Lazarettgürtel 38", "8020", "Graz", "AT221",
         47.0580, 15.4250, "second_labour_market", 31),
        (SE, "Obersteirische Schlosserei", "FN 402987 h", "Kerpelystraße 10", "8700", "Leoben", "AT223",
         47.3810, 15.0940, "second_labour_market", 19),
        (CLIENT, "Apfelland Säfte Weiz GmbH", "FN 245678 s", "Birkfelder Straße 25", "8160", "Weiz", "AT224",
         47.2190, 15.6250, None, None),
        (PUBLIC, "Stadtgemeinde Leoben", "GKZ 61108", "Erzherzog-Johann-Straße 2", "8700", "Leoben", "AT223",
         47.3820, 15.0930, None, None),
    ],
    "HU22": [
        (SE, "Győri Szociális Asztalosműhely Nonprofit Kft.", "08-09-021234", "Bécsi kapu tér 7", "9021", "Győr",
         "HU221", 47.6870, 17.6350, "second_labour_market", 24),
        (SE, "Soproni Textil-Újrahasznosító Szövetkezet", "08-02-001987", "Várkerület 45", "9400", "Sopron",
         "HU221", 47.6850, 16.5900, "third_labour_market", 16),
        (SE, "Vasi Zöldterület-kezelő Nonprofit Kft.", "18-09-110045", "Fő tér 12", "9700", "Szombathely",
         "HU222", 47.2300, 16.6210, "second_labour_market", 21),
        (CLIENT, "Zalai Ajándéktárgy Kft.", "20-09-067812", "Kossuth Lajos utca 3", "8900", "Zalaegerszeg",
         "HU223", 46.8420, 16.8440, None, None),
        (SE, "Soproni Fajátékkészítő Műhely Nonprofit Kft.", "08-09-033415", "Ógabona tér 9", "9400", "Sopron",
         "HU221", 47.6817, 16.5845, "second_labour_market", 14),
        (PUBLIC, "Sopron Megyei Jogú Város Önkormányzata", "15733519-2-08", "Fő tér 1", "9400", "Sopron", "HU221",
         47.6858, 16.5903, None, None),
        (SE, "Kőszegi Játékmanufaktúra Szociális Szövetkezet", "18-02-000871", "Rákóczi Ferenc utca 14", "9730",
         "Kőszeg", "HU222", 47.3895, 16.5410, "third_labour_market", 11),
    ],
}

# Offers by the name of the social enterprise: (title, description, cpv codes, capacity/week, unit,
# lead days, price min, price max, radius km, cross-border)
OFFERS = {
    "Pannonische Holzwerkstatt": [
        ("Möbel aus regionalem Holz", "Tische, Bänke und Regale aus burgenländischer Eiche.", ["39100000"],
         "40", "pieces", 21, "80", "650", 150, True)],
    "Südburgenländische Textilwerkstatt": [
        ("Taschen aus Altstoffen", "Einkaufstaschen aus gebrauchten Textilien genäht.", ["18930000", "39500000"],
         "300", "bags", 14, "6", "18", 200, True)],
    "Traisentaler Beschäftigungswerkstatt": [
        ("Montage und Verpackung", "Kleinteilemontage, Konfektionierung und Versand.", ["79900000"],
         "5000", "units", 7, "0.40", "2.50", 80, False),
        ("Tischlerei", "Maßanfertigung, Reparatur und Joinery-Arbeiten.", ["45421000"], "25", "pieces", 28,
         "120", "900", 100, True)],
    "Mostviertler Metallwerk": [
        ("Metallbearbeitung", "Schweißen, Biegen, Schlosserarbeiten in Kleinserien.", ["45262670", "44316000"],
         "200", "pieces", 14, "4", "120", 250, True)],
    "Grünraum Wiener Neustadt": [
        ("Grünflächenpflege", "Pflege von Parks, Firmengärten und Streuobstwiesen.", ["77310000"], "120",
         "hours", 5, "32", "45", 40, False)],
    "Wiener Nähwerkstatt Favoriten": [
        ("Upcycling-Taschen", "Taschen und Accessoires aus Planen und Altkleidern.", ["18930000"], "800",
         "bags", 21, "5", "25", 300, True),
        ("Arbeitskleidung ändern", "Änderungen und Reparatur von Berufskleidung.", ["18400000"], "150",
         "pieces", 10, "8", "40", 50, False)],
    "Kantine Brigittenau": [
        ("Catering", "Regionales, saisonales Catering für Veranstaltungen bis 300 Personen.", ["55520000"],
         "900", "meals", 3, "9", "24", 30, False)],
    "Sauber & Sozial Reinigung": [
        ("Gebäudereinigung", "Unterhalts- und Grundreinigung von Büros und Schulen.", ["90911200"], "600",
         "hours", 7, "29", "38", 25, False)],
    "Grazer Upcycling-Manufaktur": [
        ("Tote Bags aus Werbebannern", "Tragetaschen aus gebrauchten Werbebannern und Planen.",
         ["18930000", "39500000"], "600", "bags", 14, "7", "22", 400, True)],
    "Obersteirische Schlosserei": [
        ("Stahlbau und Geländer", "Geländer, Tore, Fahrradständer aus Stahl.", ["44210000", "45262670"], "30",
         "pieces", 30, "150", "2400", 200, True)],
    "Győri Szociális Asztalosműhely Nonprofit Kft.": [
        ("Asztalosmunka", "Bútorok és irodai berendezések tömörfából.", ["39150000"], "35", "pieces", 21,
         "25000", "260000", 300, True)],
    "Soproni Textil-Újrahasznosító Szövetkezet": [
        ("Újrahasznosított vászontáskák", "Vászontáskák használt textíliákból, egyedi nyomással.",
         ["18930000"], "1200", "bags", 21, "1500", "6000", 500, True)],
    "Vasi Zöldterület-kezelő Nonprofit Kft.": [
        ("Zöldterület-gondozás", "Parkok és intézményi kertek gondozása.", ["77311000"], "200", "hours", 5,
         "6500", "9000", 50, False)],
    # Wooden toys (CPV group 375, no other offer's): four weeks before the toy order's deadline each makes
    # 600 (HU22) or 800 (AT12). Cheapest first with transport to Vienna: Sopron, Kőszeg, Zwettl, Hollabrunn.
    "Soproni Fajátékkészítő Műhely Nonprofit Kft.": [
        ("Fajátékok", "Építőkockák, húzós játékok és kirakók hazai bükkfából.", ["37520000"], "150", "pieces", 7,
         "900", "1200", 300, True)],
    "Kőszegi Játékmanufaktúra Szociális Szövetkezet": [
        ("Kézműves fajátékok", "Festett fajátékok és társasjátékok kis sorozatban.", ["37520000"], "150",
         "pieces", 7, "1000", "1300", 300, True)],
    "Waldviertler Spielzeugwerkstatt": [
        ("Holzspielzeug", "Bauklötze, Nachziehtiere und Steckspiele aus Waldviertler Holz.", ["37520000"], "200",
         "pieces", 7, "2.90", "3.60", 250, True)],
    "Weinviertler Werkstätte Hollabrunn": [
        ("Holzspielzeug und Geschenkboxen", "Spielzeug aus Restholz, auf Wunsch als Geschenkbox verpackt.",
         ["37520000"], "200", "pieces", 7, "3.20", "3.90", 200, True)],
}

# (kind, first name, last name, phone, phone kind, email, organisation name, organisation kind, nuts3)
STATEMENTS = {
    "AT11": [("person", "Anna", "Horvath", "+43 664 1234567", "mobile", "anna.horvath@example.at", None, None,
              "AT112")],
    "AT12": [("person", "Johann", "Gruber", "+43 2742 12345", "fixed", "j.gruber@example.at", None, None, "AT123"),
             ("person", "Maria", "Huber", "+43 676 9876543", "mobile", "maria.huber@example.at", None, None, "AT127"),
             ("organisation", None, None, None, None, None, "Pfarre St. Pölten-Dom", "public_institution", "AT123")],
    "AT13": [("person", "Elisabeth", "Wagner", "+43 660 5554433", "mobile", "e.wagner@example.at", None, None,
              "AT130"),
             ("organisation", None, None, None, None, None, "Bäckerei Ströck-Ecke", "economic_enterprise", "AT130")],
    "AT22": [("person", "Franz", "Pichler", "+43 316 778899", "fixed", "franz.pichler@example.at", None, None,
              "AT221")],
    "HU22": [("person", "Katalin", "Nagy", "+36 30 123 4567", "mobile", "nagy.katalin@example.hu", None, None,
              "HU221"),
             ("person", "László", "Kovács", "+36 96 512 345", "fixed", "kovacs.laszlo@example.hu", None, None,
              "HU221"),
             ("organisation", None, None, None, None, None, "Győri Ipartestület", "economic_enterprise", "HU221")],
}

# (title, summary, client name, SE name, cpv, year, value paid EUR, material kg, integration hours)
CASE_STUDIES = {
    "AT12": [("Festival-Banner werden Einkaufstaschen",
              "Die Donauland Handels AG ließ 2.000 Taschen aus alten Festival-Bannern fertigen.",
              "Donauland Handels AG", "Traisentaler Beschäftigungswerkstatt", ["18930000"], 2025, "14800", "1250",
              "2100")],
    "AT13": [("Kantine mit regionalem Catering",
              "Ein Modehaus versorgt seine Belegschaft mit Catering einer sozialen Küche.",
              "Ringstraßen Modehaus GmbH", "Kantine Brigittenau", ["55520000"], 2024, "96000", None, "5200")],
    "HU22": [("Ajándéktárgyak újrahasznosított textilből",
              "Egy zalai cég céges ajándékait soproni szövetkezet készíti újrahasznosított anyagból.",
              "Zalai Ajándéktárgy Kft.", "Soproni Textil-Újrahasznosító Szövetkezet", ["18930000"], 2025, "9300",
              "640", "1400")],
}

# A case study's title and summary in each language of the network (the public page and the good-practice
# handbook show the reader's), by its original title.
CASE_STUDY_TEXTS = {
    "Festival-Banner werden Einkaufstaschen": {
        "de": {"title": "Festival-Banner werden Einkaufstaschen",
               "summary": "Die Donauland Handels AG ließ 2.000 Taschen aus alten Festival-Bannern fertigen."},
        "hu": {"title": "Fesztiválmolinókból bevásárlótáskák",
               "summary": "A Donauland Handels AG 2000 táskát varratott régi fesztiválmolinókból."},
        "en": {"title": "Festival banners become shopping bags",
               "summary": "Donauland Handels AG had 2,000 bags made from old festival banners."}},
    "Kantine mit regionalem Catering": {
        "de": {"title": "Kantine mit regionalem Catering",
               "summary": "Ein Modehaus versorgt seine Belegschaft mit Catering einer sozialen Küche."},
        "hu": {"title": "Menza regionális étkeztetéssel",
               "summary": "Egy divatház egy szociális konyha étkeztetésével látja el a munkatársait."},
        "en": {"title": "A canteen with regional catering",
               "summary": "A fashion house feeds its staff with the catering of a social kitchen."}},
    "Ajándéktárgyak újrahasznosított textilből": {
        "de": {"title": "Werbegeschenke aus recyceltem Textil",
               "summary": "Die Firmengeschenke eines Unternehmens aus Zala fertigt eine Genossenschaft in Sopron "
                          "aus recyceltem Material."},
        "hu": {"title": "Ajándéktárgyak újrahasznosított textilből",
               "summary": "Egy zalai cég céges ajándékait soproni szövetkezet készíti újrahasznosított anyagból."},
        "en": {"title": "Corporate gifts from recycled textiles",
               "summary": "A cooperative in Sopron makes a Zala company's corporate gifts from recycled material."}},
}

# Staff of every site (password: DEMO_PASSWORD), one user for each of its roles; programmes are the
# brokers' work (no role of their own). A second approver decides the label appeals: never someone who
# decided before (issue 17). The hub has agency users.
SITE_USERS = [("admin", ["site_admin"]), ("broker", ["broker"]), ("assessor", ["assessor"]),
              ("approver", ["approver"]), ("approver2", ["approver"])]
HUB_USERS = [("analyst", ["agency_viewer"]), ("agency", ["agency_admin"])]
# Members of every site, by site: (username, organisation name) for a social enterprise's member (the
# site's first), a client company's and a public institution's, each with some history: enquiries, and
# proposals (data.PROPOSED) or agreements (data.DELIVERED).
MEMBERS = {
    "AT11": [("member", "Pannonische Holzwerkstatt"), ("client-member", "Seewinkel Weinkellerei GmbH"),
             ("public-member", "Freistadt Eisenstadt")],
    "AT12": [("member", "Traisentaler Beschäftigungswerkstatt"), ("client-member", "Donauland Handels AG"),
             ("public-member", "Stadtgemeinde St. Pölten")],
    "AT13": [("member", "Wiener Nähwerkstatt Favoriten"), ("client-member", "Ringstraßen Modehaus GmbH"),
             ("public-member", "Bezirksvorstehung Favoriten")],
    "AT22": [("member", "Grazer Upcycling-Manufaktur"), ("client-member", "Apfelland Säfte Weiz GmbH"),
             ("public-member", "Stadtgemeinde Leoben")],
    "HU22": [("member", "Győri Szociális Asztalosműhely Nonprofit Kft."),
             ("client-member", "Zalai Ajándéktárgy Kft."),
             ("public-member", "Sopron Megyei Jogú Város Önkormányzata")],
}
DEMO_PASSWORD = "sopro-demo"

# Enquiries by site: (type, title, client name, cpv, quantity, unit, days to deadline, delivery nuts3,
# budget, cross-border allowed, state to move it to after submission)
ENQUIRIES = {
    "AT13": [("csr_product", "5.000 Tote Bags aus Upcycling-Material", "Ringstraßen Modehaus GmbH", ["18930000"],
              "5000", "bags", 35, "AT130", "60000", True, "in_consultation"),
             # Left for the broker to pass to the hub in the browser (tests/browser/test_journey_crossborder.py):
             # only HU22 and AT12 make wooden toys, none of them 1,800 in the four weeks after its lead time.
             ("csr_product", "1.800 Holzspielzeuge für die Weihnachtsaktion", "Ringstraßen Modehaus GmbH",
              ["37520000"], "1800", "pieces", 35, "AT130", "7500", True, "submitted")],
    "AT12": [("service", "Grünflächenpflege am Firmengelände", "Donauland Handels AG", ["77310000"], "300",
              "hours", 40, "AT127", "12000", False, "submitted")],
    "HU22": [("give_away", "Céges ajándékok újrahasznosított textilből", "Zalai Ajándéktárgy Kft.", ["18930000"],
              "800", "bags", 50, "HU223", "3200000", False, "submitted")],
}

# Enquiries the site's broker passes to the hub for a cross-border consortium, by site: titles. No social
# enterprise alone can make 5,000 bags in five weeks; together AT11, AT13, AT22 and HU22 can.
CROSS_BORDER = {"AT13": ["5.000 Tote Bags aus Upcycling-Material"]}

# Labels granted in the demo, by site: (holder name, product, cpv codes)
LABELS = {
    "HU22": [("Soproni Textil-Újrahasznosító Szövetkezet", "Újrahasznosított vászontáskák", ["18930000"])],
    "AT13": [("Wiener Nähwerkstatt Favoriten", "Upcycling-Taschen aus Planen", ["18930000"])],
}
LABEL_EVIDENCE = {
    "se_share": {"figure": "62"},
    "regional_primary_products": {"figure": "55"},
    "resource_saving": {"figure": "3"},
    "quality_innovation": {"documents": [{"sha256": "9f2c" * 16, "size": 48213, "title": "Prüfbericht"}]},
}
LABEL_SCORES = {
    "se_share": {"reason": "timesheets checked on site"},
    "regional_primary_products": {"score": 4, "reason": "supplier invoices"},
    "resource_saving": {"score": 3, "reason": "site visit"},
    "quality_innovation": {"score": 4, "reason": "test report and samples"},
}

# Agreements delivered in the demo, by site, so that the agency's impact charts have figures: each is a new
# enquiry of the client, taken through matching, the social enterprise's proposal (on its offer of that
# title), the client's acceptance and the delivery with its impact. (type, title, client name, SE name,
# offer title, cpv, quantity, unit, price, currency, delivery nuts3, lat, lon, impact report)
# At least 3 this year at AT12, AT13 and HU22: the public comparison hides a site's year below 3 deals
# (issue 18), and with fewer it would show nothing at all. No offer of the demo's cross-border orders (bags,
# wooden toys) is used: a delivery releases its reservation, but those journeys count on their capacity.
DELIVERED = {
    "AT12": [("production_step", "Parkbänke aus Altholz für den Stadtpark", "Stadtgemeinde St. Pölten",
              "Traisentaler Beschäftigungswerkstatt", "Tischlerei", ["45421000"], "40", "pieces", "18600", "EUR",
              "AT123", 48.2040, 15.6230,
              {"material_diverted_kg": "1900", "regional_share": "0.85", "production_nuts3": "AT123",
               "production_lat": 48.2160, "production_lon": 15.6240, "integration_hours": "1450"}),
             # the client company's, so that its member has impact to read (/office/our-impact)
             ("production_step", "Regalhalterungen für die Filialen", "Donauland Handels AG", "Mostviertler Metallwerk",
              "Metallbearbeitung", ["44316000"], "180", "pieces", "4860", "EUR", "AT127", 48.0850, 16.2830,
              {"material_diverted_kg": "420", "regional_share": "0.6", "production_nuts3": "AT121",
               "production_lat": 48.1220, "production_lon": 14.8720, "integration_hours": "310"}),
             ("service", "Displaymontage für die Herbstaktion", "Donauland Handels AG",
              "Traisentaler Beschäftigungswerkstatt", "Montage und Verpackung", ["79900000"], "1500", "units", "2250",
              "EUR", "AT127", 48.0850, 16.2830,
              {"regional_share": "0.9", "production_nuts3": "AT123", "production_lat": 48.2160,
               "production_lon": 15.6240, "integration_hours": "260"}),
             ("service", "Pflege der Grünflächen am Logistikzentrum", "Donauland Handels AG",
              "Grünraum Wiener Neustadt", "Grünflächenpflege", ["77310000"], "90", "hours", "3420", "EUR", "AT127",
              48.0850, 16.2830,
              {"material_diverted_kg": "2600", "regional_share": "1", "production_nuts3": "AT122",
               "production_lat": 47.8130, "production_lon": 16.2330, "integration_hours": "90"})],
    # Vienna: the other Austrian site with deals, so that Austria is more than one site in the comparison.
    "AT13": [("service", "Catering für die Betriebsversammlung", "Ringstraßen Modehaus GmbH", "Kantine Brigittenau",
              "Catering", ["55520000"], "260", "meals", "4420", "EUR", "AT130", 48.2050, 16.3710,
              {"material_diverted_kg": "35", "regional_share": "0.7", "production_nuts3": "AT130",
               "production_lat": 48.2300, "production_lon": 16.3720, "integration_hours": "120"}),
             ("service", "Grundreinigung der Filiale nach dem Umbau", "Ringstraßen Modehaus GmbH",
              "Sauber & Sozial Reinigung", "Gebäudereinigung", ["90911200"], "140", "hours", "4690", "EUR", "AT130",
              48.2050, 16.3710,
              {"regional_share": "0.95", "production_nuts3": "AT130", "production_lat": 48.2780,
               "production_lon": 16.4070, "integration_hours": "140"}),
             ("service", "Buffet für den Neujahrsempfang des Bezirks", "Bezirksvorstehung Favoriten",
              "Kantine Brigittenau", "Catering", ["55520000"], "180", "meals", "2880", "EUR", "AT130", 48.1760,
              16.3770,
              {"material_diverted_kg": "20", "regional_share": "0.8", "production_nuts3": "AT130",
               "production_lat": 48.2300, "production_lon": 16.3720, "integration_hours": "85"})],
    "HU22": [("production_step", "Irodabútorok felújítása tömörfából", "Zalai Ajándéktárgy Kft.",
              "Győri Szociális Asztalosműhely Nonprofit Kft.", "Asztalosmunka", ["39150000"], "60", "pieces",
              "4200000", "HUF", "HU223", 46.8420, 16.8440,
              {"material_diverted_kg": "2300", "regional_share": "0.75", "production_nuts3": "HU221",
               "production_lat": 47.6870, "production_lon": 17.6350, "integration_hours": "1100"}),
             ("production_step", "Tárgyalóasztalok készítése tölgyfából", "Zalai Ajándéktárgy Kft.",
              "Győri Szociális Asztalosműhely Nonprofit Kft.", "Asztalosmunka", ["39150000"], "8", "pieces",
              "1440000", "HUF", "HU223", 46.8420, 16.8440,
              {"material_diverted_kg": "180", "regional_share": "0.8", "production_nuts3": "HU221",
               "production_lat": 47.6870, "production_lon": 17.6350, "integration_hours": "320"}),
             ("service", "A városi parkok tavaszi gondozása", "Sopron Megyei Jogú Város Önkormányzata",
              "Vasi Zöldterület-kezelő Nonprofit Kft.", "Zöldterület-gondozás", ["77311000"], "160", "hours",
              "1280000", "HUF", "HU221", 47.6858, 16.5903,
              {"material_diverted_kg": "3400", "regional_share": "1", "production_nuts3": "HU222",
               "production_lat": 47.2300, "production_lon": 16.6210, "integration_hours": "160"}),
             ("production_step", "Könyvtári polcok felújítása", "Sopron Megyei Jogú Város Önkormányzata",
              "Győri Szociális Asztalosműhely Nonprofit Kft.", "Asztalosmunka", ["39150000"], "30", "pieces",
              "2250000", "HUF", "HU221", 47.6858, 16.5903,
              {"material_diverted_kg": "950", "regional_share": "0.7", "production_nuts3": "HU221",
               "production_lat": 47.6870, "production_lon": 17.6350, "integration_hours": "540"})],
}

# Enquiries left with a social enterprise's open proposal, by site, for the client's member to read and
# accept in the browser: (type, title, client name, SE name, offer title, cpv, quantity, unit, price,
# currency, delivery nuts3)
PROPOSED = {
    "AT12": [("service", "Verpackung der Frühjahrskataloge", "Donauland Handels AG",
              "Traisentaler Beschäftigungswerkstatt", "Montage und Verpackung", ["79900000"], "2000", "units", "3600",
              "EUR", "AT127")],
    "AT13": [("service", "Reinigung des Amtshauses", "Bezirksvorstehung Favoriten", "Sauber & Sozial Reinigung",
              "Gebäudereinigung", ["90911200"], "200", "hours", "6800", "EUR", "AT130"),
             ("service", "Änderung der Verkaufsuniformen", "Ringstraßen Modehaus GmbH", "Wiener Nähwerkstatt Favoriten",
              "Arbeitskleidung ändern", ["18400000"], "120", "pieces", "2400", "EUR", "AT130")],
    "AT11": [("csr_product", "Verkostungstische aus Eiche", "Seewinkel Weinkellerei GmbH",
              "Pannonische Holzwerkstatt", "Möbel aus regionalem Holz", ["39100000"], "12", "pieces", "5400", "EUR",
              "AT112"),
             ("production_step", "Sitzbänke für den Schlosspark", "Freistadt Eisenstadt", "Pannonische Holzwerkstatt",
              "Möbel aus regionalem Holz", ["39100000"], "20", "pieces", "7800", "EUR", "AT112")],
    # A proposal reserves no capacity: Graz's bags stay free for the cross-border tote bags.
    "AT22": [("give_away", "Tragetaschen für den Hofladen", "Apfelland Säfte Weiz GmbH", "Grazer Upcycling-Manufaktur",
              "Tote Bags aus Werbebannern", ["18930000"], "500", "bags", "5500", "EUR", "AT224"),
             ("production_step", "Fahrradständer für den Hauptplatz", "Stadtgemeinde Leoben",
              "Obersteirische Schlosserei", "Stahlbau und Geländer", ["44210000"], "15", "pieces", "6750", "EUR",
              "AT223")],
    "HU22": [("production_step", "Iskolapadok felújítása", "Sopron Megyei Jogú Város Önkormányzata",
              "Győri Szociális Asztalosműhely Nonprofit Kft.", "Asztalosmunka", ["39150000"], "80", "pieces",
              "3600000", "HUF", "HU221")],
}
