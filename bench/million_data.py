# ruff: noqa: SIM905
"""The people and places of bench/million.py: names of six countries, their cities and
streets, phone prefixes and languages, email providers, and the channels' shares."""

from __future__ import annotations

FIRST = {
    "FR": (
        "Camille|Léa|Manon|Chloé|Inès|Louise|Lucas|Hugo|Louis|Gabriel|Arthur|Jules|"
        "Thomas|Nathalie|Isabelle|Sophie|Pierre|Nicolas|Julien|Antoine|Élodie|Margaux"
    ).split("|"),
    "DE": (
        "Sophie|Marie|Hannah|Lena|Anna|Lukas|Leon|Finn|Jonas|Paul|Felix|Maximilian|"
        "Jürgen|Katrin|Sabine|Stefan|Matthias|Tobias|Julia|Laura"
    ).split("|"),
    "GB": (
        "Oliver|George|Harry|Jack|Amelia|Olivia|Isla|Emily|Charlotte|James|William|Sarah|"
        "Rebecca|Daniel|Matthew|Hannah|Grace|Thomas"
    ).split("|"),
    "ES": (
        "Lucía|Sofía|Martina|María|Hugo|Martín|Pablo|Daniel|Alejandro|Carmen|Javier|Elena"
    ).split("|"),
    "IT": (
        "Giulia|Francesca|Chiara|Sofia|Leonardo|Francesco|Alessandro|Lorenzo|Matteo|Marco"
    ).split("|"),
    "NL": ("Emma|Julia|Tess|Sem|Noah|Daan|Lucas|Levi|Sanne|Femke|Bram|Joris").split("|"),
}
LAST = {
    "FR": (
        "Martin|Bernard|Dubois|Thomas|Robert|Richard|Petit|Durand|Leroy|Moreau|Simon|"
        "Laurent|Lefèvre|Michel|Garcia|David|Bertrand|Roux|Vincent|Fournier|Morel|Girard|"
        "André|Mercier|Dupont|Lambert|Bonnet|François|Martinez|Legrand|Garnier|Faure|"
        "Rousseau|Blanc|Guérin"
    ).split("|"),
    "DE": (
        "Müller|Schmidt|Schneider|Fischer|Weber|Meyer|Wagner|Becker|Schulz|Hoffmann|"
        "Schäfer|Koch|Bauer|Richter|Klein|Wolf|Schröder|Neumann|Schwarz|Zimmermann|Braun|"
        "Krüger|Hofmann"
    ).split("|"),
    "GB": (
        "Smith|Jones|Taylor|Brown|Williams|Wilson|Johnson|Davies|Robinson|Wright|"
        "Thompson|Evans|Walker|White|Roberts|Green|Hall|Wood|Jackson|Clarke|Patel|Khan|"
        "O'Brien"
    ).split("|"),
    "ES": (
        "García|Rodríguez|González|Fernández|López|Martínez|Sánchez|Pérez|Gómez|Martín|"
        "Jiménez|Ruiz|Hernández|Díaz|Moreno|Muñoz"
    ).split("|"),
    "IT": (
        "Rossi|Russo|Ferrari|Esposito|Bianchi|Romano|Colombo|Ricci|Marino|Greco|Bruno|"
        "Gallo|Conti|De Luca|Costa"
    ).split("|"),
    "NL": (
        "de Jong|Jansen|de Vries|van den Berg|van Dijk|Bakker|Janssen|Visser|Smit|Meijer|"
        "de Boer|Mulder"
    ).split("|"),
}
CITIES = {
    "FR": [("Paris", "750"), ("Lyon", "690"), ("Marseille", "130"), ("Toulouse", "310"),
           ("Nantes", "440"), ("Lille", "590"), ("Bordeaux", "330"), ("Rennes", "350")],
    "DE": [("Berlin", "101"), ("Hamburg", "203"), ("München", "803"), ("Köln", "506"),
           ("Leipzig", "041"), ("Frankfurt am Main", "603")],
    "GB": [("London", "EC1A "), ("Manchester", "M1 "), ("Bristol", "BS1 "), ("Leeds", "LS1 ")],
    "ES": [("Madrid", "280"), ("Barcelona", "080"), ("Valencia", "460"), ("Sevilla", "410")],
    "IT": [("Roma", "001"), ("Milano", "201"), ("Torino", "101"), ("Bologna", "401")],
    "NL": [("Amsterdam", "101"), ("Rotterdam", "301"), ("Utrecht", "351"), ("Den Haag", "251")],
}  # fmt: skip
STREETS = {
    "FR": "rue de la République|avenue Jean Jaurès|rue Victor Hugo|boulevard Voltaire|rue Pasteur",
    "DE": "Hauptstraße|Schillerstraße|Bahnhofstraße|Goethestraße|Schanzenstraße",
    "GB": "High Street|Station Road|Church Lane|Victoria Road|Park Avenue",
    "ES": "Calle Mayor|Gran Vía|Calle de Alcalá|Avenida de la Constitución",
    "IT": "Via Roma|Corso Italia|Via Garibaldi|Via Dante",
    "NL": "Kerkstraat|Dorpsstraat|Stationsweg|Molenweg",
}
PHONE = {"FR": "+336", "DE": "+4915", "GB": "+447", "ES": "+346", "IT": "+393", "NL": "+316"}
LANGUAGE = {"FR": "fr", "DE": "de", "GB": "en-GB", "ES": "es", "IT": "it", "NL": "nl"}
COUNTRY_WEIGHTS = {"FR": 45, "DE": 25, "GB": 10, "ES": 8, "IT": 7, "NL": 5}
PROVIDERS = ("gmail.com|orange.fr|free.fr|web.de|gmx.de|outlook.com|yahoo.fr|hotmail.com").split(
    "|"
)
CHANNELS = {"web": 55, "marketplace": 25, "pos": 10, "phone": 5, "b2b": 5}
EXTERNAL = {"web": "W", "marketplace": "AMZ-", "b2b": "EDI-"}
PLACES = ("Leipzig hub", "Paris Nord hub", "delivery depot", "sorting centre")
