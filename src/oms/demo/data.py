"""The demo shop's data: products, places, people, and how often things happen."""

from __future__ import annotations

from datetime import time

from oms.domain.catalogue.model import LocationKind, LocationSettings, NewLocation
from oms.domain.fulfilment.calendar import MONDAY_TO_SATURDAY

DAYS = 42
ALREADY_LOADED = (
    "Demo data is already loaded (the catalogue has products); nothing changed.\n"
    "To load it afresh, start from an empty database."
)

# The Lyon shop ships too ("ship from store"), at the lowest priority: the warehouses go
# first, and the shop's shelf serves an online order only when it can serve more of that
# order than they can. That is how a short product still reaches a customer, and how the
# demo shows orders split over locations. It keeps no bulky goods (see _opening_stock).
# The Paris warehouse and the Lyon shop work on Saturdays too; Paris hands over until 17:00.
LOCATIONS = (
    NewLocation("PAR", "Paris warehouse, Gennevilliers", LocationKind.WAREHOUSE, "FR", "92230",
                ships=True, priority=30,
                settings=LocationSettings(cut_off=time(17, 0), working_days=MONDAY_TO_SATURDAY)),
    NewLocation("LYO", "Lyon shop, rue Auguste Comte", LocationKind.STORE, "FR", "69002",
                ships=True, priority=10,
                settings=LocationSettings(working_days=MONDAY_TO_SATURDAY)),
    NewLocation("BER", "Berlin distribution center, Schönefeld",
                LocationKind.DISTRIBUTION_CENTER, "DE", "12529", ships=True, priority=20),
)  # fmt: skip

COLOURS = {
    "BLK": "Black", "WHT": "White", "NAV": "Navy", "GRY": "Grey Melange", "OLV": "Olive",
    "IND": "Indigo Rinse", "SND": "Sand", "RST": "Rust", "CHR": "Charcoal", "MIX": "Mixed",
    "NAT": "Natural", "OAT": "Oatmeal", "BRK": "Brick", "SAG": "Sage", "TER": "Terracotta",
    "CLR": "Clear", "STR": "Striped", "OCH": "Ochre", "FIG": "Fig", "CED": "Cedar", "MIL": "Milk",
}  # fmt: skip
SIZE_LABELS = {"36": "36-40", "41": "41-46"}

# SKU stem, name, price (EUR), weight (g), sizes, colours: 50 products in all.
FAMILIES: tuple[tuple[str, str, str, int, tuple[str, ...], tuple[str, ...]], ...] = (
    ("TSH-ORG", "Organic Cotton T-Shirt", "24.90", 180, ("S", "M", "L"), ("BLK", "WHT")),
    ("SWT-MER", "Merino Crew Sweater", "89.00", 320, ("M", "L"), ("NAV", "GRY")),
    ("HOD-FLC", "Brushed Fleece Hoodie", "64.50", 540, ("M", "L"), ("OLV", "BLK")),
    ("JNS-STR", "Straight Selvedge Jeans", "119.00", 690, ("30", "32", "34"), ("IND",)),
    ("SHR-LIN", "Linen Overshirt", "69.90", 260, ("M", "L"), ("SND",)),
    ("SCF-WOL", "Lambswool Scarf", "39.00", 150, (), ("RST", "CHR")),
    ("SOK-BMB", "Bamboo Socks, 3 pairs", "14.90", 120, ("36", "41"), ("MIX",)),
    ("CAP-CNV", "Canvas Six-Panel Cap", "22.00", 95, (), ("SND", "NAV")),
    ("BAG-TOT", "Heavy Canvas Tote", "18.50", 240, (), ("NAT",)),
    ("BEA-WOL", "Ribbed Wool Beanie", "27.00", 90, (), ("OAT", "BRK")),
    ("MUG-STN", "Stoneware Mug 350 ml", "16.90", 420, (), ("WHT", "SAG", "TER")),
    ("BWL-STN", "Stoneware Bowls, set of 2", "29.90", 980, (), ("WHT",)),
    ("PLT-STN", "Stoneware Dinner Plates, set of 4", "54.00", 2600, (), ("WHT",)),
    ("GLS-TUM", "Recycled Glass Tumblers, set of 6", "32.00", 1450, (), ("CLR",)),
    ("TWL-BTH", "Organic Bath Towel 70x140", "29.00", 620, (), ("WHT", "SAG")),
    ("TWL-TEA", "Linen Tea Towels, set of 3", "19.50", 210, (), ("NAT", "STR")),
    ("CUS-LIN", "Linen Cushion Cover 45x45", "29.00", 180, (), ("OCH", "NAT", "SAG")),
    ("THR-WOL", "Wool Throw 130x170", "119.00", 1100, (), ("GRY",)),
    ("CND-SOY", "Soy Wax Candle 220 g", "19.90", 380, (), ("FIG", "CED")),
    ("DUV-PER", "Percale Duvet Cover 240x220", "139.00", 1350, (), ("WHT",)),
    ("SHT-PER", "Percale Fitted Sheet 160x200", "59.00", 720, (), ("WHT",)),
    ("APR-LIN", "Linen Apron", "34.90", 230, (), ("CHR",)),
    ("BSK-SEA", "Seagrass Storage Basket", "39.00", 650, ("M", "L"), ("NAT",)),
    ("VAS-CER", "Ceramic Bud Vase", "24.00", 310, (), ("MIL",)),
)

# Deliberately short: (units at PAR, LYO, BER), popularity (the rest: 0.4 to 1.6).
SHORT = {
    "TSH-ORG-M-BLK": ((3, 1, 2), 1.8),
    "MUG-STN-TER": ((2, 1, 0), 1.5),
    "THR-WOL-GRY": ((1, 0, 1), 1.0),
    "CND-SOY-FIG": ((2, 0, 1), 1.2),
    "JNS-STR-32-IND": ((1, 1, 2), 1.0),
}
# Receipts (day, location, SKU, units, purchase order): they fill backorders, oldest first.
# The throw's supplier is late, so its backorders are still open at the end.
RECEIPTS = (
    (9, "PAR", "TSH-ORG-M-BLK", 8, "PO-{year}-0141 Atelier Coton, Porto"),
    (16, "BER", "MUG-STN-TER", 10, "PO-{year}-0152 Keramikwerkstatt Höhr-Grenzhausen"),
    (21, "BER", "SOK-BMB-41-MIX", 40, "PO-{year}-0155 Bamboo Textiles, Guimarães"),
    (23, "PAR", "CND-SOY-FIG", 10, "PO-{year}-0158 Cire et Mèche, Grasse"),
    (30, "PAR", "JNS-STR-32-IND", 10, "PO-{year}-0163 Denim Mill, Prato"),
    (35, "PAR", "TSH-ORG-M-BLK", 6, "PO-{year}-0170 Atelier Coton, Porto"),
)

NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "FR": (("Camille", "Léa", "Manon", "Chloé", "Inès", "Julie", "Claire", "Émilie", "Lucas",
            "Hugo", "Louis", "Antoine", "Julien", "Mathieu", "Maxime", "Théo"),
           ("Martin", "Bernard", "Dubois", "Durand", "Leroy", "Moreau", "Laurent", "Lefebvre",
            "Garnier", "Fournier", "Morel", "Girard", "Bonnet", "Lambert", "Fontaine", "Mercier")),
    "DE": (("Anna", "Lena", "Laura", "Julia", "Katharina", "Hannah", "Marie", "Sophie", "Jonas",
            "Leon", "Lukas", "Felix", "Paul", "Tobias", "Florian", "Stefan"),
           ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
            "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Krüger")),
    "BE": (("Lotte", "Elise", "Julien", "Noor"), ("Peeters", "Janssens", "Maes", "Claes")),
    "NL": (("Sanne", "Daan", "Emma", "Bram"), ("de Vries", "Jansen", "van Dijk", "Visser")),
    "IT": (("Giulia", "Marco", "Chiara", "Luca"), ("Rossi", "Bianchi", "Romano", "Colombo")),
    "ES": (("Lucía", "Pablo", "Marta", "Javier"), ("García", "Fernández", "López", "Romero")),
    "AT": (("Theresa", "Lukas", "Anna", "Matthias"), ("Gruber", "Huber", "Bauer", "Pichler")),
}  # fmt: skip
COUNTRY_WEIGHTS = {"FR": 48, "DE": 34, "BE": 5, "NL": 4, "IT": 3, "ES": 3, "AT": 3}
CITIES: dict[str, tuple[tuple[str, str, tuple[str, str]], ...]] = {
    "FR": (("Paris", "75011", ("rue Oberkampf", "boulevard Voltaire")),
           ("Paris", "75018", ("rue Lepic", "rue des Abbesses")),
           ("Lyon", "69002", ("rue Mercière", "rue des Remparts d'Ainay")),
           ("Lyon", "69007", ("avenue Jean Jaurès", "rue de Marseille")),
           ("Marseille", "13006", ("rue Paradis", "cours Julien")),
           ("Bordeaux", "33000", ("rue Sainte-Catherine", "quai des Chartrons")),
           ("Lille", "59800", ("rue de Béthune", "rue Esquermoise")),
           ("Nantes", "44000", ("rue Crébillon", "quai de la Fosse")),
           ("Toulouse", "31000", ("rue du Taur", "rue d'Alsace-Lorraine")),
           ("Rennes", "35000", ("rue de Saint-Malo", "rue Le Bastard")),
           ("Annecy", "74000", ("rue Royale", "avenue de Genève"))),
    "DE": (("Berlin", "10435", ("Kastanienallee", "Oderberger Straße")),
           ("Berlin", "10961", ("Bergmannstraße", "Zossener Straße")),
           ("Berlin", "12047", ("Weserstraße", "Pannierstraße")),
           ("Hamburg", "20357", ("Schanzenstraße", "Susannenstraße")),
           ("München", "80469", ("Klenzestraße", "Fraunhoferstraße")),
           ("Köln", "50667", ("Breite Straße", "Apostelnstraße")),
           ("Frankfurt am Main", "60311", ("Berliner Straße", "Töngesgasse")),
           ("Leipzig", "04109", ("Gottschedstraße", "Thomasiusstraße")),
           ("Dresden", "01097", ("Alaunstraße", "Louisenstraße")),
           ("Freiburg im Breisgau", "79098", ("Konviktstraße", "Gerberau"))),
    "BE": (("Bruxelles", "1000", ("Rue Haute", "Rue Antoine Dansaert")),
           ("Gent", "9000", ("Veldstraat", "Sint-Pietersnieuwstraat"))),
    "NL": (("Amsterdam", "1016 GV", ("Prinsengracht", "Herengracht")),
           ("Utrecht", "3511 AL", ("Oudegracht", "Lijnmarkt"))),
    "IT": (("Milano", "20123", ("Via Torino", "Corso di Porta Ticinese")),
           ("Roma", "00186", ("Via del Governo Vecchio", "Via dei Coronari"))),
    "ES": (("Barcelona", "08012", ("Carrer de Verdi", "Carrer de Torrijos")),
           ("Madrid", "28004", ("Calle de Fuencarral", "Calle del Pez"))),
    "AT": (("Wien", "1070", ("Neubaugasse", "Zollergasse")),
           ("Graz", "8010", ("Sporgasse", "Herrengasse"))),
}  # fmt: skip
LINE2 = {"FR": ("Bâtiment B", "3e étage, porte gauche", "Appartement 12"),
         "DE": ("Hinterhaus, 3. OG", "Seitenflügel links", "2. OG")}  # fmt: skip
# Shops that buy wholesale: (code, name, email, country, city, postal code, street).
COMPANIES = (
    ("MLU", "Maison Lumière", "achats@maison-lumiere.example", "FR", "Lyon", "69001",
     "14 rue de la Platière"),
    ("RIV", "Concept Store Rivage", "commandes@rivage.example", "FR", "Nantes", "44000",
     "3 rue Kervégan"),
    ("BDC", "La Boutique du Canal", "contact@boutique-du-canal.example", "FR", "Paris", "75010",
     "52 quai de Valmy"),
    ("KHN", "Kaufhaus Nord GmbH", "einkauf@kaufhaus-nord.example", "DE", "Hamburg", "20095",
     "Mönckebergstraße 7"),
    ("HYG", "Hygge Haus München", "bestellung@hygge-haus.example", "DE", "München", "80331",
     "Sendlinger Straße 28"),
    ("SAB", "Atelier Sablon", "orders@atelier-sablon.example", "BE", "Bruxelles", "1000",
     "Rue Lebeau 18"),
)  # fmt: skip

CHANNELS = {"web": 45, "marketplace": 20, "pos": 15, "b2b": 10, "phone": 10}
HOURS = {"pos": (9, 18), "b2b": (7, 16), "phone": (8, 17)}  # UTC, shop and office hours
OPEN_DAYS = {"pos": range(6), "b2b": range(5), "phone": range(5)}  # Monday is 0
CONFIRM_MINUTES = {"pos": (1, 5), "phone": (3, 45), "web": (15, 840), "marketplace": (30, 480),
                   "b2b": (120, 1800)}  # fmt: skip
# Per channel: (why held, why released, why cancelled after the hold).
HOLDS = {
    "web": (("payment review", "payment confirmed by the provider", "payment declined"),
            ("fraud check: billing and shipping country differ", "fraud check passed",
             "fraud suspected: card reported stolen"),
            ("address verification", "customer confirmed the address",
             "address could not be confirmed")),
    "marketplace": (("marketplace payment pending", "marketplace released the payment",
                     "marketplace refused the payment"),),
    "phone": (("awaiting bank transfer", "bank transfer received",
               "no bank transfer after 7 days"),),
    "b2b": (("credit limit check", "credit limit raised by finance",
             "credit refused by finance"),),
    "pos": (("customer asked to delay delivery", "customer is back from holiday",
             "customer changed their mind"),),
}  # fmt: skip
CANCELS = {
    "web": ("customer request", "duplicate order", "payment failed"),
    "marketplace": ("cancelled by the buyer on the marketplace", "customer request"),
    "phone": ("customer request", "ordered the wrong size"),
    "b2b": ("customer request", "replaced by a corrected purchase order"),
    "pos": ("customer request",),
}
WAITED_TOO_LONG = "customer would not wait for the backordered items"
# Share of orders ending in each status; "released" went on hold and came back.
FATES = {"pending": 0.10, "on_hold": 0.08, "released": 0.10, "cancelled": 0.12, "confirmed": 0.60}
PATHS: dict[str, tuple[tuple[str, ...], ...]] = {
    "pending": ((),),
    "confirmed": (("confirm",),),
    "on_hold": (("hold",), ("confirm", "hold")),
    "released": (("hold", "release", "confirm"), ("hold", "release"),
                 ("confirm", "hold", "release")),
    "cancelled": (("cancel",), ("confirm", "cancel"), ("hold", "cancel")),
}  # fmt: skip


HOUR_WEIGHTS = (2, 1, 1, 0, 0, 1, 2, 3, 4, 5, 5, 6, 8, 7, 5, 5, 5, 6, 8, 10, 11, 9, 5, 3)
DELAY_MINUTES = {"hold": (2, 90), "release": (120, 4320), "cancel": (10, 4320)}
