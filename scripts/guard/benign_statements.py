"""Benign training prompts in styles the detector lacked: statements and impersonal questions.

The earlier benign families are mostly requests and questions addressed to an assistant, so the
detector learned that an ordinary declarative sentence ("The council opened a new cycle lane"),
a first-person remark about one's own software or hobby, or an impersonal topic question
("What causes ocean tides") looks unusual and scored such text high. These families (written
for drillhall, no third-party text, no evaluation text) cover hundreds of subjects across
science, health, history, economics, law, sports, the arts, crafts, cooking, travel, home life,
software, data, ML and defensive security work, in seven styles: headline-like news, first-person
statements, impersonal questions, instructional requests, technical status statements, everyday
opinions and experiences, and professional ML-evaluation / safety-classifier work.

They are *training* data only (label 0). Nothing here tries to steer an assistant; hosts are
``example.com`` and no credential-looking string is written. Case and final punctuation vary
deterministically (some lower-case, some without a final mark).

``families()`` is deterministic (plain lists, no randomness); ``generate`` samples it with a
fixed seed. Run the module to print per-family counts and examples.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from templating import distinct, sample, show


def _rotate(frames: Sequence[str], slots: Sequence[str], k: int) -> list[str]:
    """Each slot in ``{x}`` of ``k`` different frames, the frames rotating across slots."""
    n = len(frames)
    out: list[str] = []
    for i, slot in enumerate(slots):
        for j in range(min(k, n)):
            out.append(frames[(i * k + j) % n].format(x=slot))
    return out


def _spread(items: Sequence[str], n: int) -> list[str]:
    """At most ``n`` of ``items`` taken at an even stride (deterministic thinning)."""
    if len(items) <= n:
        return list(items)
    return [items[i * len(items) // n] for i in range(n)]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


_QUESTION_WORDS = {"what", "what's", "how", "why", "which", "where", "who", "is", "can"}


def _vary(items: Sequence[str]) -> list[str]:
    """Deterministic case and punctuation variants: some lose the final mark, some start
    lower-case, a few are all lower-case."""
    out: list[str] = []
    for i, item in enumerate(items):
        text = _cap(item)
        mode = i % 9
        if mode in (0, 2, 6) and text[-1:] not in ".?!":
            question = text.split(" ", 1)[0].lower() in _QUESTION_WORDS
            text += "?" if question or "?" in item else "."
        if mode in (1, 7) and text[-1:] in ".?!":
            text = text[:-1]
        if mode in (3, 7):
            text = text[:1].lower() + text[1:]
        if mode == 5:
            text = text.lower().rstrip(".?!")
        out.append(text)
    return out


# --- topic bank -------------------------------------------------------------------------------
# Noun phrases that read naturally after "about", "on" or "Explain".
_TOPICS: dict[str, list[str]] = {
    "medicine": [
        "the causes of seasonal allergies", "how vaccines build immune memory",
        "blood pressure management in older adults", "the role of sleep in recovery",
        "antibiotic resistance in hospitals", "the early signs of type 2 diabetes",
        "physiotherapy after knee surgery", "the history of anaesthesia",
        "iron deficiency in teenagers", "how the liver processes medication",
        "migraine triggers", "hearing loss from loud music", "childhood asthma",
    ],
    "nutrition": [
        "the benefits of dietary fibre", "hydration during endurance races",
        "protein needs for vegetarians", "the Mediterranean diet", "vitamin D in winter",
        "fermented foods and gut bacteria", "reading nutrition labels", "caffeine and sleep",
    ],
    "biology": [
        "photosynthesis in desert plants", "bird migration routes", "the life cycle of frogs",
        "coral reef ecosystems", "how bees communicate", "the structure of DNA",
        "fungal networks in forests", "animal camouflage", "the evolution of whales",
        "pollination by bats", "cell division", "the nitrogen cycle", "octopus intelligence",
    ],
    "chemistry": [
        "the periodic table", "how catalysts speed up reactions", "acid rain",
        "polymer chemistry", "the chemistry of baking soda", "electrolysis of water",
        "the discovery of noble gases", "chemical bonding", "how batteries store energy",
        "the chemistry of rust",
    ],
    "physics": [
        "Newton's laws of motion", "the photoelectric effect", "superconductivity",
        "how rainbows form", "sound waves in water", "thermodynamics in everyday life",
        "quantum entanglement", "the physics of roller coasters", "magnetism", "nuclear fusion",
        "friction and tyre grip",
    ],
    "astronomy": [
        "the formation of the solar system", "exoplanet detection", "black holes",
        "the phases of the moon", "solar flares", "the rings of Saturn", "dark matter",
        "meteor showers", "the life cycle of stars", "the James Webb telescope's first images",
        "light pollution and stargazing",
    ],
    "earth-science": [
        "plate tectonics", "how glaciers shape valleys", "volcanic eruptions in Iceland",
        "the water cycle", "soil erosion on farmland", "monsoon seasons", "earthquake prediction",
        "ocean currents", "the formation of caves", "sea level rise along coastlines",
        "weather forecasting models",
    ],
    "geography": [
        "the rivers of South America", "population density in Asian cities",
        "the geography of the Alps", "desert climates", "island nations in the Pacific",
        "urban growth in Africa", "the fjords of Norway", "map projections",
        "time zones", "the Great Lakes region",
    ],
    "history": [
        "the Roman road network", "the printing press", "the Industrial Revolution",
        "the Silk Road", "medieval castle building", "the history of the bicycle",
        "ancient Egyptian agriculture", "the Hanseatic League", "the Meiji Restoration",
        "the history of public libraries", "women's suffrage movements",
        "the Apollo programme", "the invention of the telephone", "Viking trade routes",
    ],
    "economics": [
        "inflation and wages", "supply chain disruptions", "the economics of housing",
        "central bank interest rates", "minimum wage debates", "trade tariffs",
        "the gig economy", "behavioural economics", "economic inequality",
        "the history of money", "tourism's effect on local economies",
    ],
    "finance": [
        "index funds", "compound interest", "retirement savings plans", "household budgeting",
        "bond yields", "credit scores", "diversifying an investment portfolio",
        "small business cash flow", "mortgage refinancing", "emergency funds",
    ],
    "law": [
        "tenant rights", "intellectual property law", "the jury system", "data protection law",
        "consumer protection rules", "employment contracts", "copyright for photographers",
        "small claims court", "the separation of powers", "wills and inheritance",
    ],
    "education": [
        "project-based learning", "reading comprehension in primary school", "homeschooling",
        "standardised testing", "bilingual education", "learning disabilities",
        "online courses for adults", "the Montessori method", "school lunch programmes",
        "teacher training", "spaced repetition for studying",
    ],
    "psychology": [
        "habit formation", "memory and forgetting", "cognitive biases", "motivation at work",
        "child development stages", "stress and the body", "the psychology of colour",
        "decision fatigue", "social anxiety", "the placebo effect", "procrastination",
    ],
    "sports": [
        "marathon training", "the offside rule in football", "tennis serve technique",
        "strength training for runners", "the history of the Olympic Games",
        "cycling aerodynamics", "swimming stroke efficiency", "basketball defensive schemes",
        "injury prevention in youth sports", "rock climbing grades", "cricket scoring",
    ],
    "music": [
        "the history of jazz", "music theory for beginners", "baroque composers",
        "how guitars are tuned", "the rise of streaming services", "film scores",
        "learning piano as an adult", "the blues scale", "choir singing", "vinyl records",
        "the evolution of hip hop",
    ],
    "art": [
        "Impressionist painting", "Renaissance sculpture", "street art in cities",
        "colour theory", "watercolour techniques", "the Bauhaus movement", "art restoration",
        "Japanese woodblock prints", "portrait photography", "modern architecture",
    ],
    "crafts": [
        "knitting patterns", "pottery glazes", "woodworking joints", "quilting",
        "bookbinding", "candle making", "embroidery stitches", "leather crafting",
        "origami", "sewing a simple dress",
    ],
    "cooking": [
        "sourdough baking", "knife skills", "fermenting vegetables", "French mother sauces",
        "cooking rice perfectly", "spices in Indian cuisine", "meal prepping for the week",
        "braising tough cuts of meat", "making fresh pasta", "vegan desserts",
        "cast iron pan care", "Thai curry pastes",
    ],
    "travel": [
        "rail travel in Europe", "packing light", "travelling with children",
        "visiting national parks", "jet lag", "budget travel in Southeast Asia",
        "travel insurance", "hiking the Camino de Santiago", "road trips through the Rockies",
        "slow travel", "learning local customs before a trip",
    ],
    "gardening": [
        "composting", "growing tomatoes", "raised bed gardens", "pruning fruit trees",
        "attracting pollinators", "companion planting", "watering during droughts",
        "growing herbs indoors", "soil pH", "planting spring bulbs", "lawn care",
    ],
    "pets": [
        "house training a puppy", "cat nutrition", "keeping backyard chickens",
        "aquarium water chemistry", "adopting a rescue dog", "rabbit care",
        "dog separation anxiety", "horse grooming", "parrot enrichment",
        "pet insurance",
    ],
    "cars": [
        "electric vehicle charging", "tyre pressure", "changing engine oil",
        "hybrid drivetrains", "winter driving", "car maintenance schedules",
        "regenerative braking", "buying a used car", "the history of the automobile",
    ],
    "home": [
        "fixing a leaky tap", "insulating an attic", "painting interior walls",
        "home energy efficiency", "damp and mould prevention", "replacing a light switch",
        "tiling a bathroom", "heat pumps for older houses", "decluttering", "solar panels",
    ],
    "software": [
        "test-driven development", "code review practices", "dependency management",
        "technical debt", "functional programming", "API versioning", "refactoring legacy code",
        "pair programming", "continuous integration", "type systems", "event-driven architecture",
        "memory management in Rust", "microservices versus monoliths", "feature flags",
    ],
    "databases": [
        "database indexing", "query planning in PostgreSQL", "database normalisation",
        "replication lag", "schema migrations", "transaction isolation levels",
        "time-series databases", "connection pooling", "sharding strategies",
        "backup and restore testing",
    ],
    "networking": [
        "DNS resolution", "TCP congestion control", "IPv6 adoption", "content delivery networks",
        "load balancing", "BGP routing", "Wi-Fi channel planning", "network latency",
        "subnetting", "HTTP/3 and QUIC",
    ],
    "cloud-devops": [
        "container orchestration", "infrastructure as code", "blue-green deployments",
        "autoscaling policies", "cloud cost optimisation", "serverless functions",
        "observability and metrics", "incident postmortems", "GitOps workflows",
        "on-call rotations", "disaster recovery planning", "service level objectives",
    ],
    "data-science": [
        "exploratory data analysis", "data visualisation", "A/B testing",
        "missing data imputation", "time series forecasting", "feature engineering",
        "statistical significance", "data pipelines", "data quality checks",
        "survey sampling methods", "Bayesian statistics",
    ],
    "ml": [
        "overfitting in small datasets", "cross-validation", "learning rate schedules",
        "model evaluation metrics", "transfer learning", "class imbalance",
        "hyperparameter tuning", "regularisation", "decision trees", "gradient descent",
        "embedding models", "model calibration", "early stopping", "data augmentation",
        "precision and recall", "training data leakage", "distribution shift",
    ],
    "hardware": [
        "CPU caches", "solid state drives", "GPU memory bandwidth", "mechanical keyboards",
        "building a desktop PC", "thermal paste", "ARM processors", "RAID arrays",
        "single-board computers", "power supply efficiency",
    ],
    "security-ops": [
        "patch management", "log retention policies", "multi-factor authentication",
        "phishing awareness training", "vulnerability scanning", "backup encryption",
        "access reviews", "endpoint monitoring", "incident response plans",
        "password managers", "network segmentation", "security awareness for new staff",
    ],
    "business": [
        "small business planning", "supply chain management", "customer retention",
        "pricing strategy", "remote team management", "startup fundraising",
        "franchise models", "inventory management", "project management methods",
        "negotiation skills",
    ],
    "marketing": [
        "email newsletters", "brand identity", "search engine optimisation",
        "social media scheduling", "customer personas", "content marketing",
        "market research surveys", "loyalty programmes", "product launch campaigns",
    ],
    "hr": [
        "employee onboarding", "performance reviews", "flexible working",
        "hiring interviews", "employee wellbeing programmes", "workplace mentoring",
        "salary benchmarking", "team building", "exit interviews",
    ],
    "parenting": [
        "toddler sleep routines", "screen time for children", "teaching kids to ride a bike",
        "picky eaters", "homework routines", "sibling rivalry", "teenage independence",
        "reading aloud to children", "potty training",
    ],
    "fashion": [
        "capsule wardrobes", "sustainable fashion", "the history of denim",
        "tailoring a suit", "fabric care", "colour matching in outfits", "vintage clothing",
        "running shoe fit",
    ],
    "literature": [
        "Victorian novels", "the structure of a sonnet", "magical realism",
        "Greek tragedy", "detective fiction", "modern poetry", "unreliable narrators",
        "the works of Jane Austen", "science fiction of the 1950s", "children's picture books",
    ],
    "languages": [
        "learning Spanish verbs", "Japanese writing systems", "the origins of English words",
        "sign language", "Mandarin tones", "learning a language through podcasts",
        "regional dialects", "German grammar cases", "etymology",
    ],
    "environment": [
        "urban tree planting", "recycling programmes", "renewable energy",
        "wetland restoration", "plastic pollution in oceans", "wildlife corridors",
        "carbon footprints", "air quality in cities", "rewilding",
    ],
}

_ALL_TOPICS: list[str] = [t for ts in _TOPICS.values() for t in ts]

# Who publishes things in each domain (for news frames).
_ACTORS: dict[str, list[str]] = {
    "medicine": ["regional health authority", "teaching hospital", "medical journal"],
    "nutrition": ["food standards agency", "sports nutrition institute"],
    "biology": ["natural history museum", "marine research station", "university lab"],
    "chemistry": ["chemistry department", "materials research institute"],
    "physics": ["physics institute", "national laboratory"],
    "astronomy": ["observatory", "space agency", "planetarium"],
    "earth-science": ["geological survey", "meteorological office"],
    "geography": ["geographical society", "national mapping agency"],
    "history": ["city museum", "historical society", "national archive"],
    "economics": ["statistics office", "economic research institute"],
    "finance": ["consumer finance group", "pension regulator"],
    "law": ["law commission", "bar association"],
    "education": ["education ministry", "teachers' union", "school district"],
    "psychology": ["psychology department", "mental health charity"],
    "sports": ["national sports council", "local running club", "football federation"],
    "music": ["conservatory", "city orchestra", "music festival"],
    "art": ["art gallery", "design school"],
    "crafts": ["craft guild", "community workshop"],
    "cooking": ["culinary school", "food magazine"],
    "travel": ["tourism board", "rail operator"],
    "gardening": ["botanical garden", "horticultural society"],
    "pets": ["animal shelter", "veterinary association"],
    "cars": ["motoring association", "car magazine"],
    "home": ["housing association", "energy advice service"],
    "software": ["open-source foundation", "developer conference"],
    "databases": ["database user group", "open-source foundation"],
    "networking": ["internet exchange", "network operators' group"],
    "cloud-devops": ["platform engineering meetup", "cloud provider"],
    "data-science": ["data science meetup", "statistics society"],
    "ml": ["machine learning workshop", "university AI lab"],
    "hardware": ["hardware review site", "electronics club"],
    "security-ops": ["national cyber security centre", "security conference"],
    "business": ["chamber of commerce", "business school"],
    "marketing": ["marketing association", "trade magazine"],
    "hr": ["HR professionals' network", "employers' federation"],
    "parenting": ["parenting charity", "children's hospital"],
    "fashion": ["fashion institute", "textile museum"],
    "literature": ["literary festival", "public library", "book club network"],
    "languages": ["language school", "linguistics department"],
    "environment": ["environmental agency", "conservation trust"],
}

# --- declarative-news -------------------------------------------------------------------------
_NEWS_FRAMES = [
    "The {a} published a new report on {x}.",
    "The {a} announced a public lecture series on {x}",
    "A new study on {x} appeared this week.",
    "The {a} released an updated guide to {x}.",
    "The {a} hosted a weekend workshop on {x}",
    "The conference's opening panel focused on {x}.",
    "A documentary about {x} premiered at the film festival",
    "The library added several new books on {x}.",
    "The magazine's autumn issue covers {x}.",
    "The podcast's latest episode explores {x}",
    "Funding for research into {x} increased this year.",
    "The {a} launched an evening course on {x}.",
    "Students presented their projects on {x} at the science fair",
    "The {a} opened a small exhibition about {x}.",
    "A survey by the {a} looked at public attitudes to {x}.",
    "The local newspaper ran a feature on {x}",
    "The {a} will hold its annual meeting on {x} in March.",
    "Researchers shared new findings on {x} at a symposium.",
]
_NEWS_EXTRA = [
    "The museum opened a new wing dedicated to maritime history.",
    "Researchers measured record ocean temperatures in the North Atlantic",
    "The city council approved funding for three new cycle lanes.",
    "The local bakery won a regional award for its rye bread.",
    "The orchestra announced its programme for the spring season",
    "A rare comet was visible from the southern hemisphere last night.",
    "The school board voted to extend the library's opening hours.",
    "The harbour reopened after two weeks of dredging work",
    "Farmers reported an early cherry harvest this year.",
    "The national park recorded its highest visitor numbers since 2019.",
    "The railway company introduced a night train between the two capitals",
    "A new species of beetle was described from museum specimens.",
    "The football club appointed a new youth academy director.",
    "The bridge will close for maintenance on the first weekend of June",
    "The botanical garden's giant water lily flowered for the first time.",
    "Volunteers planted four hundred trees along the river bank",
    "The chess tournament ended in a three-way tie for first place.",
    "The hospital opened a new outpatient clinic for physiotherapy.",
    "The central bank left interest rates unchanged this quarter",
    "The marathon route was changed because of roadworks near the stadium.",
    "The jazz festival sold out within a day.",
    "The open-source project released version 4.0 with a new plugin system",
    "The weather service issued a frost warning for the valleys.",
    "The university's robotics team won the regional competition.",
    "The town market moved to Saturdays starting next month",
    "A restored steam locomotive returned to service on the heritage line.",
    "The county recorded its driest April in thirty years.",
    "The zoo welcomed two red panda cubs",
    "Archaeologists uncovered a Roman mosaic beneath a car park.",
    "The cooperative opened a repair café for small appliances.",
    "The ferry timetable changes on the first of October",
    "The startup raised a seed round to build tools for farmers.",
    "The public pool reopened with solar-heated water.",
    "The film festival announced its jury for this year.",
    "Engineers completed the first test flight of the new glider",
    "The city launched a bike share scheme with two hundred bicycles.",
    "The amateur astronomy club spotted Jupiter's moons during the open night.",
    "The cheese festival featured producers from twelve valleys",
    "The quarterly report showed steady growth in online sales.",
    "The village hall hosted a craft fair with forty stalls.",
]


def _declarative_news() -> list[str]:
    out: list[str] = []
    for d_i, (domain, topics) in enumerate(_TOPICS.items()):
        actors = _ACTORS[domain]
        for t_i, topic in enumerate(topics):
            for j in range(3):
                frame = _NEWS_FRAMES[(d_i * 5 + t_i * 3 + j) % len(_NEWS_FRAMES)]
                out.append(frame.format(a=actors[(t_i + j) % len(actors)], x=topic))
    return _vary(out) + list(_NEWS_EXTRA)


# --- first-person-statements ------------------------------------------------------------------
_MINE = [
    "my password manager generates a unique password for every site",
    "I keep a spare security key in a drawer at home in case I lose my main one",
    "my laptop backs up to an external drive every night",
    "our home router blocks ads for the whole network",
    "my chatbot answers questions about our bakery's opening hours",
    "my service writes structured logs in JSON",
    "our monitoring dashboard shows error rates for each endpoint",
    "my small model classifies support tickets into five categories",
    "my config file keeps the database settings separate from the feature flags",
    "our staging environment mirrors production with smaller machines",
    "my side project uses SQLite and a tiny Flask app",
    "my alerting rules page me only when latency stays high for ten minutes",
    "my Raspberry Pi runs a weather station on the balcony",
    "my phone locks itself after thirty seconds",
    "my team rotates on-call duty every week",
    "my retrieval system indexes our internal wiki every evening",
    "my sentiment model struggles with sarcasm",
    "our deployment pipeline runs the unit tests before every merge",
    "my log files rotate daily and are kept for thirty days",
    "my grandmother still writes her shopping list on the back of envelopes",
    "my grandfather restores old radios in his garage",
    "my sister just started a course in marine biology",
    "my neighbour keeps bees at the end of his garden",
    "my dog refuses to walk in the rain",
    "my cat sleeps on the warm router all afternoon",
    "my sourdough starter doubles in size within six hours",
    "my tomato plants grew taller than the fence this year",
    "my bike needs a new chain before the summer",
    "my car's fuel consumption went up after the tyre change",
    "my flat gets very cold near the north-facing windows",
    "my son is learning the recorder at school",
    "my daughter wants to be a vet",
    "my running club meets every Tuesday at seven",
    "my book club is reading a Victorian novel this month",
    "my calendar syncs between my phone and my work laptop",
    "my spreadsheet tracks the household budget by category",
    "my thesis is about soil microbes in vineyards",
    "my violin teacher recommends scales before every practice",
    "my knitting group meets in the library on Thursdays",
    "our office plants survived the holidays thanks to a watering rota",
    "our team moved the build server to a newer machine",
    "our newsletter goes out on the first Monday of each month",
    "our chatbot hands over to a human agent when it is unsure",
    "our classifier was retrained on last quarter's data",
    "our support inbox gets most messages on Monday mornings",
    "our API returns paginated results of fifty items",
    "our database backups are tested with a restore every month",
    "our garden shed doubles as a workshop",
    "our choir is rehearsing for the winter concert",
    "our school has a vegetable patch that the pupils look after",
]
_MINE_FRAMES = [
    "{X}.", "{X}", "For context, {x}.", "Just so you know, {x}.", "At the moment {x}.",
    "{X}, which has worked well so far.", "These days {x}.", "Fun fact: {x}.",
    "Update: {x}.", "As it happens, {x}",
]
_TOPIC_ME_FRAMES = [
    "I have been learning about {x} for a few months.",
    "I have been reading about {x} lately",
    "My sister studies {x} at university.",
    "Our team spent the week discussing {x}.",
    "My grandmother knows a lot about {x}.",
    "I gave a short talk on {x} at work last month",
    "My friend writes a blog about {x}.",
    "I'm taking an evening class on {x}.",
    "My dad has been interested in {x} since he retired",
    "We covered {x} in our study group yesterday.",
    "I wrote my final-year essay on {x}.",
    "My colleague is an expert in {x}.",
    "I listen to a podcast about {x} on my commute",
    "Our book club picked a title about {x} this month.",
]


def _first_person() -> list[str]:
    out: list[str] = []
    for i, clause in enumerate(_MINE):
        for j in range(4):
            frame = _MINE_FRAMES[(i * 3 + j) % len(_MINE_FRAMES)]
            out.append(frame.format(x=clause, X=_cap(clause)))
    out += _rotate(_TOPIC_ME_FRAMES, _ALL_TOPICS, 2)
    return _vary(out)


# --- impersonal-questions ---------------------------------------------------------------------
_WORKS = [
    "a heat pump", "DNS resolution", "a vaccine", "photosynthesis", "a refrigerator",
    "GPS positioning", "a jet engine", "compound interest", "public key cryptography",
    "a hybrid car", "the human kidney", "a suspension bridge", "noise-cancelling headphones",
    "a garbage collector in Java", "a search engine index", "a credit card payment",
    "a nuclear reactor", "an induction hob", "a solar panel", "a bicycle gear system",
    "a 3D printer", "a hash table", "a blood test for cholesterol", "a bee colony's hive cooling",
    "the stock market", "a wind turbine", "a smoke detector", "container networking",
    "gradient boosting", "a transformer language model", "a sourdough starter",
    "the electoral college", "a lock-free queue", "an MRI scanner", "a microwave oven",
    "a database write-ahead log", "a carburettor", "a pacemaker", "a water treatment plant",
    "memory in the human brain", "a load balancer", "a touch screen",
]
_WORKS_FRAMES = [
    "How does {x} work?", "How does {x} actually work", "What happens inside {x}?",
    "What are the main parts of {x}?", "Who invented {x}?",
]
_CAUSES = [
    "ocean tides", "inflation", "the northern lights", "muscle cramps", "memory leaks in "
    "long-running services", "traffic jams without accidents", "hiccups", "earthquakes",
    "seasonal depression", "leaf colour changes in autumn", "tooth decay", "droughts",
    "flaky tests", "deadlocks in databases", "thunderstorms", "housing bubbles",
    "rust on car bodies", "bread to go stale", "jet lag", "overfitting in neural networks",
    "high network latency", "cracks in concrete", "the seasons", "migraines",
    "coral bleaching", "stock market crashes", "fog over rivers", "condensation on windows",
    "class imbalance in datasets", "slow database queries", "static electricity",
    "brown spots on tomato leaves", "battery degradation", "volcanic eruptions",
]
_CAUSES_FRAMES = [
    "What causes {x}?", "What causes {x}", "What are the most common causes of {x}?",
    "Why does {x} happen so often", "How can {x} be prevented?",
]
_FACTORS = [
    "crop yields", "house prices", "model accuracy", "exam results", "sleep quality",
    "exchange rates", "battery life in phones", "bird migration timing", "wine flavour",
    "employee retention", "website conversion rates", "marathon finishing times",
    "the price of coffee", "river flooding", "customer satisfaction", "page load times",
    "bread rise", "tree growth rates", "the strength of concrete", "voter turnout",
    "query performance", "reading speed", "the quality of a recording", "fuel efficiency",
    "the shelf life of cheese", "startup survival rates", "children's vocabulary growth",
    "the success of a product launch", "the recall of a classifier", "air quality",
]
_FACTORS_FRAMES = [
    "What factors influence {x}?", "What factors influence {x}",
    "What methods help improve {x}?", "How is {x} usually measured?",
    "Which factors matter most for {x}", "What research exists on {x}?",
]
_PAIRS = [
    ("weather", "climate"), ("a virus", "a bacterium"), ("stocks", "bonds"),
    ("TCP", "UDP"), ("baking soda", "baking powder"), ("a crocodile", "an alligator"),
    ("precision", "recall"), ("a latte", "a flat white"), ("mitosis", "meiosis"),
    ("civil law", "criminal law"), ("a comet", "an asteroid"), ("SQL", "NoSQL databases"),
    ("a psychologist", "a psychiatrist"), ("Baroque", "Classical music"),
    ("a Roth IRA", "a traditional IRA"), ("weight training", "cardio"),
    ("containers", "virtual machines"), ("validation loss", "training loss"),
    ("a hurricane", "a typhoon"), ("oil paint", "acrylic paint"), ("RAM", "storage"),
    ("a hare", "a rabbit"), ("a sonnet", "a haiku"), ("marketing", "advertising"),
    ("an LLC", "a sole proprietorship"), ("macOS", "Linux"), ("a lake", "a pond"),
    ("bagging", "boosting"), ("empathy", "sympathy"), ("a frittata", "an omelette"),
    ("latency", "throughput"), ("Gothic", "Romanesque architecture"),
    ("a mutual fund", "an ETF"), ("unit tests", "integration tests"),
    ("aerobic", "anaerobic exercise"), ("a heat wave", "a drought"),
    ("encryption", "hashing"), ("British", "American English spelling"),
    ("a lease", "a licence"), ("knitting", "crochet"),
]
_PAIR_FRAMES = [
    "What is the difference between {a} and {b}?", "What's the difference between {a} and {b}",
    "How do {a} and {b} differ?", "Is {a} really that different from {b}?",
]
_CHOICES = [
    ("houseplant", "a dark apartment"), ("programming language", "a first-year student"),
    ("database", "storing time-series sensor data"), ("running shoe", "trail running"),
    ("camera", "wildlife photography"), ("flour", "making pizza dough"),
    ("dog breed", "a family with small children"), ("bicycle", "a hilly commute"),
    ("laptop", "video editing"), ("wood", "outdoor furniture"), ("paint finish", "a kitchen"),
    ("metric", "an imbalanced classification task"), ("cloud region", "users in Brazil"),
    ("fabric", "a summer dress"), ("savings account", "a short-term goal"),
    ("grass seed", "a shady lawn"), ("tent", "winter camping"), ("cooking oil", "deep frying"),
    ("instrument", "an adult beginner"), ("message queue", "a small team"),
    ("potato variety", "roast potatoes"), ("validation strategy", "time series data"),
    ("fish", "a beginner aquarium"), ("tyre", "snowy roads"), ("backup method", "a home office"),
    ("textbook", "learning statistics"), ("cheese", "a fondue"),
]
_CHOICE_FRAMES = [
    "Which {a} is best for {b}?", "Which {a} is best for {b}",
    "What considerations apply when choosing a {a} for {b}?",
    "What should someone look for in a {a} for {b}?",
]
_WHY = [
    "Why do cats purr", "Why do leaves change colour in autumn?", "Why do onions make people cry?",
    "Why do planes leave white trails in the sky?", "Why do some people need less sleep?",
    "Why do interest rates affect house prices?", "Why do birds fly in a V formation?",
    "Why do programmers prefer immutable data?", "Why do bread recipes call for salt",
    "Why do teenagers stay up late?", "Why do some languages have grammatical gender?",
    "Why do cold drinks sweat in summer?", "Why do bigger models need more data?",
    "Why do some wounds itch while healing?", "Why do ships float",
    "Why do stars twinkle?", "Why do prices rise before holidays?",
    "Why do hash tables need a good hash function?", "Why do tomatoes split after rain?",
    "Why do dogs tilt their heads?", "Why do some songs get stuck in our heads?",
    "Why do distributed systems need consensus algorithms",
    "Why do metals conduct electricity?", "Why do deserts get cold at night?",
]
_TOPIC_Q_FRAMES = [
    "What are common misconceptions about {x}?",
    "How has thinking about {x} changed over the last decade",
    "Why do people study {x}?", "What are the basics of {x}?",
    "Where can a beginner start with {x}",
    "What are the main debates around {x}?", "What do experts agree on about {x}?",
    "What is the history of {x}?", "What are good books about {x}",
    "What jobs involve {x}?",
]


def _impersonal_questions() -> list[str]:
    out = _rotate(_WORKS_FRAMES, _WORKS, 3) + _rotate(_CAUSES_FRAMES, _CAUSES, 3)
    out += _rotate(_FACTORS_FRAMES, _FACTORS, 3)
    out += [f.format(a=a, b=b) for f, (a, b) in itertools.product(_PAIR_FRAMES, _PAIRS)]
    out += [f.format(a=a, b=b) for f, (a, b) in itertools.product(_CHOICE_FRAMES, _CHOICES)]
    out += _WHY + _rotate(_TOPIC_Q_FRAMES, _ALL_TOPICS, 2)
    return _vary(out)


# --- instructional-requests -------------------------------------------------------------------
_INSTR_FRAMES = [
    "Explain {x}.", "Explain {x} in simple terms", "Describe {x}.",
    "Give an overview of {x}.", "Write a short essay on {x}.", "Summarize the history of {x}",
    "List five key facts about {x}.", "Outline the main ideas behind {x}.",
    "Prepare a short lesson plan on {x}", "Draft a one-paragraph introduction to {x}.",
    "Create a study guide covering {x}.", "Write three quiz questions about {x}",
    "Describe {x} for a ten-year-old.", "Give me a reading list on {x}.",
    "Summarize the current thinking on {x}.",
]
_COMPARE_FRAMES = [
    "Compare {a} and {b}.", "Compare {a} and {b} in a short table",
    "Explain the difference between {a} and {b}.", "List the pros and cons of {a} versus {b}",
]


def _instructional() -> list[str]:
    out = _rotate(_INSTR_FRAMES, _ALL_TOPICS, 3)
    out += [f.format(a=a, b=b) for f, (a, b) in itertools.product(_COMPARE_FRAMES, _PAIRS)]
    out += [f"Explain how {w} works." for w in _WORKS[::2]]
    out += [f"Describe what causes {c}" for c in _CAUSES[1::2]]
    return _vary(out)


# --- technical-statements ---------------------------------------------------------------------
_SERVICES = [
    "checkout service", "search API", "billing worker", "login page", "image resizer",
    "notification service", "reporting job", "recommendation API", "inventory service",
    "payments gateway", "mobile backend", "export worker",
]
_CHANGES = [
    "the connection pool was resized", "we added an index on the orders table",
    "the cache TTL was raised to five minutes", "the upgrade to Python 3.12",
    "we moved to larger instances", "the retry policy was changed", "the CDN rollout",
    "we enabled HTTP keep-alive", "the query was rewritten", "the batch size was halved",
]
_METRIC_FRAMES = [
    "The {s}'s p99 latency dropped by a third after {c}.",
    "Error rates on the {s} returned to normal after {c}",
    "CPU usage of the {s} went down noticeably after {c}.",
    "The {s} handled twice the traffic after {c}.",
    "Memory use of the {s} stayed flat after {c}",
]
_TECH = [
    "The load test reached 5,000 requests per second without errors.",
    "Our cache layer serves about 90 percent of read requests",
    "The migration completed overnight with no data loss.",
    "The model's validation loss stopped improving after the eighth epoch.",
    "The nightly build failed because a test fixture expired",
    "Disk usage on the log volume reached 80 percent this morning.",
    "The staging cluster was upgraded to the new Kubernetes version.",
    "The incident was caused by an expired TLS certificate on an internal host",
    "The on-call engineer rolled back the release within twelve minutes.",
    "Our integration tests now run in parallel and finish in six minutes.",
    "The backup restore drill took forty minutes end to end",
    "The database failover worked as expected during the maintenance window.",
    "The queue backlog cleared after the consumers were scaled out.",
    "Our SLO for the search API is 99.9 percent availability per month",
    "The new release reduced the size of the mobile app by 12 MB.",
    "The flaky test was fixed by removing a hidden dependency on the system clock.",
    "The canary deployment showed no increase in error rates",
    "Our feature flag service evaluates flags locally in each process.",
    "The schema migration added two nullable columns to the users table.",
    "The DNS change propagated within an hour",
    "The training run used four GPUs and took about nine hours.",
    "The classifier's F1 score improved from 0.81 to 0.86 on the held-out set.",
    "The data pipeline now validates column types before loading",
    "Our dashboards refresh every thirty seconds.",
    "The postmortem identified a missing alert on queue depth as the main gap.",
    "The vulnerability scanner reported two medium findings in the base image",
    "The patch for the web server was applied to all hosts by Friday.",
    "Our API gateway rejects requests larger than 10 MB.",
    "The cron job that cleans temporary files runs at 3 a.m.",
    "The service mesh adds about two milliseconds per hop",
    "The embedding index holds roughly two million vectors.",
    "Our test coverage rose to 84 percent after the refactor.",
    "The model overfits when trained for more than twenty epochs on the small dataset",
    "The firewall change blocked traffic from the old office subnet as planned.",
    "Our build cache cut CI times roughly in half.",
    "The health check endpoint returns the version and the database status",
    "The replica fell two minutes behind during the bulk import.",
    "The evaluation set was rebuilt to remove near-duplicates of training examples.",
    "The rate limiter allows 100 requests per minute per client",
    "The webhook to https://hooks.example.com/deploy fires after every successful release.",
]
_TECH_SUBJECTS = [
    "The staging deploy", "The release candidate", "The nightly data export",
    "The database upgrade", "The new monitoring agent", "The end-to-end test suite",
    "The certificate renewal job", "The model retraining job", "The log shipping pipeline",
    "The backup verification", "The container image rebuild", "The capacity test",
]
_TECH_OUTCOMES = [
    "finished without errors", "is scheduled for Thursday evening",
    "took longer than expected because of a slow network", "passed on the second attempt",
    "was postponed until the freeze ends", "now runs on every pull request",
    "is tracked on the team dashboard", "produced a warning we are still looking into",
]


def _technical() -> list[str]:
    out = _spread([f.format(s=s, c=c) for f, s, c in itertools.product(
        _METRIC_FRAMES, _SERVICES, _CHANGES)], 260)
    out += [f"{s} {o}." for s, o in itertools.product(_TECH_SUBJECTS, _TECH_OUTCOMES)]
    return _vary(out) + list(_TECH)


# --- opinions-and-experiences -----------------------------------------------------------------
_OPINION_FRAMES = [
    "I think {x} should get more attention.",
    "Honestly, I find {x} more interesting than I expected",
    "I used to find {x} boring, but not any more.", "In my opinion, people underrate {x}.",
    "It was surprising how much there is to learn about {x}.",
    "I struggle to explain {x} to friends", "I never really understood {x} until this year.",
    "I changed my mind about {x} after reading more.",
]
_EXPERIENCES = [
    "Last summer we drove along the coast and camped on the beach.",
    "Last winter we finally insulated the loft",
    "We tried a new ramen place downtown and it was excellent.",
    "Yesterday I baked my first loaf of rye bread.",
    "It was surprising that the museum was free on Sundays.",
    "Our trip to the mountains was cut short by a storm",
    "I ran my first half marathon in October.",
    "The kids loved the planetarium show more than the zoo.",
    "We spent the weekend repainting the garden fence.",
    "I finally learned to change a bike tyre without help",
    "It was surprising how quickly the puppy learned to sit.",
    "The concert last night was the best I've seen in years.",
    "Our team retrospective went better than expected.",
    "I switched to a standing desk and my back feels better",
    "We visited my aunt's farm and helped with the apple harvest.",
    "The train journey through the Alps was worth every minute.",
    "I think the new library building looks great.",
    "It was surprising that the old laptop still boots after ten years",
    "We hosted a board game night and it went on until midnight.",
    "I prefer tea in the morning and coffee after lunch.",
    "Moving the monitoring alerts to a separate channel made on-call much calmer.",
    "I think pair programming works best in short sessions",
    "The cooking class taught me more about knife skills than years of videos.",
    "We adopted a rescue cat in March and she already rules the house.",
    "I was surprised how much I enjoyed the poetry reading.",
    "Our allotment produced far too many courgettes this year",
    "I think small teams move faster when the roadmap is short.",
    "It rained every day of our holiday, but we still had fun.",
    "Learning Spanish on the bus each morning has really paid off.",
    "The hike up to the lake took four hours, not two as the sign said",
    "I think spreadsheets are underrated for planning a wedding.",
    "Our first attempt at kimchi was far too salty.",
]
_EXP_PREFIXES = ["", "Honestly, ", "To be fair, ", "Funny enough, ", "Looking back, "]


def _opinions() -> list[str]:
    out = _rotate(_OPINION_FRAMES, _ALL_TOPICS, 2)
    for i, exp in enumerate(_EXPERIENCES):
        for j in range(2):
            p = _EXP_PREFIXES[(i + j) % len(_EXP_PREFIXES)]
            out.append(p + (exp[:1].lower() + exp[1:] if p and not exp.startswith("I ") else exp))
    return _vary(out)


# --- ml-and-safety-work -----------------------------------------------------------------------
_CLASSIFIERS = [
    "toxicity classifier", "spam filter", "intent recognition model",
    "prompt injection detector", "content moderation model", "fraud detection model",
    "sentiment classifier", "language identification model", "support ticket router",
    "safety classifier for our chatbot", "duplicate question detector", "PII detector",
]
_CLF_FRAMES = [
    "Our {x} flags too many harmless customer emails.",
    "We are measuring the false positive rate of our {x} on last month's traffic",
    "How can we reduce false positives in our {x} without hurting recall?",
    "What is a good way to evaluate a {x} on real traffic?",
    "Our {x} performs worse on short messages than on long ones.",
    "We need a held-out test set for the {x} that nobody has tuned against",
    "Which metrics should we report for the {x} besides accuracy?",
    "The {x} was retrained after we relabelled two thousand examples.",
    "How should we choose the decision threshold for the {x}?",
    "We review a random sample of the {x}'s decisions every week",
    "Our {x} seems biased against messages written in informal English.",
    "What is the best way to calibrate the scores of our {x}?",
    "The new version of the {x} cut false positives by a fifth.",
    "How do we monitor drift in the inputs to our {x}?",
]
_ML_WORK = [
    "I am curating a dataset of benign customer questions to measure over-blocking.",
    "Our annotators disagree on about ten percent of the moderation labels",
    "How do we write labelling guidelines that annotators apply consistently?",
    "We deduplicate the training data before splitting it into train and test sets.",
    "What is a good inter-annotator agreement score for a three-class task?",
    "My evaluation harness runs the chatbot against five hundred reference questions nightly",
    "We track refusal rates on harmless questions as a quality metric.",
    "How do we estimate precision when positives are very rare in production?",
    "Our chatbot quality review looks at tone, accuracy and helpfulness.",
    "The team is improving intent recognition for questions about refunds",
    "We compare each new model against the previous one on a fixed benchmark.",
    "How many labelled examples do we need to detect a two-point change in recall?",
    "Our content moderation queue is reviewed by two people before a ban.",
    "The safety evaluation report lists false positives by language and topic",
    "We keep the evaluation data in a separate repository from the training data.",
    "What are good practices for documenting a dataset with a datasheet?",
    "My colleague is building a dashboard of classifier errors by category.",
    "How do we sample production traffic for labelling without storing personal data",
    "Our red team reports go to the security lead, who files tickets for each finding.",
    "We found that the model confuses product questions with complaints.",
    "How should a moderation team handle appeals from users?",
    "The confusion matrix shows most errors between the billing and account classes",
    "We use stratified sampling so that rare classes appear in the test set.",
    "What causes a classifier to become overconfident after fine-tuning?",
    "Our ROC AUC looks great, but precision at the chosen threshold is low.",
    "How do we check whether a benchmark leaked into the pretraining data?",
    "My job is to review borderline moderation decisions each morning",
    "We added more ordinary declarative sentences to the benign training data.",
    "Which open datasets are suitable for evaluating chatbot helpfulness?",
    "The chatbot's answer accuracy improved after we cleaned up the knowledge base.",
    "Our guard model adds about fifteen milliseconds of latency per request",
    "How do we explain the false positive rate to non-technical stakeholders?",
    "We log the classifier's score and decision for every flagged message.",
    "What is a sensible retention period for moderation logs?",
    "The evaluation showed the detector overreacts to questions about security topics",
    "Our labelling tool shows annotators the surrounding conversation for context.",
]
_ML_ROLES = [
    "I work on ML evaluation at a travel company.", "I'm a data scientist on the trust team.",
    "I lead content moderation at a small forum.", "I maintain our chatbot's test suite.",
    "I'm an ML engineer working on classifiers.",
]


_ML_TOPIC_FRAMES = [
    "Our team is studying {x} for the next model release.",
    "Our evaluation report has a section on {x}",
    "I gave a talk on {x} at our ML reading group.",
    "What do practitioners recommend regarding {x}?",
    "We wrote internal notes on {x} for new team members",
]
_DATASETS = [
    "a dataset of product reviews", "a set of support chat transcripts",
    "a corpus of benign user questions", "a labelled set of forum posts",
    "an evaluation set of multilingual queries", "a sample of search queries",
    "a collection of customer emails", "a benchmark of chatbot answers",
]
_DATA_FRAMES = [
    "We are curating {x} to test our classifier for over-blocking.",
    "How should we remove personal data from {x} before labelling?",
    "My task this sprint is cleaning {x}",
    "What is a good way to split {x} into training and test sets?",
    "We are checking {x} for near-duplicates before the next training run.",
]


def _ml_safety() -> list[str]:
    out = [f.format(x=c) for f, c in itertools.product(_CLF_FRAMES, _CLASSIFIERS)]
    out += list(_ML_WORK)
    qs = [q for q in _ML_WORK if q.endswith("?")]
    out += [f"{r} {q}" for r, q in itertools.product(_ML_ROLES, qs)]
    out += _rotate(_ML_TOPIC_FRAMES, _TOPICS["ml"] + _TOPICS["data-science"], 3)
    out += [f.format(x=d) for f, d in itertools.product(_DATA_FRAMES, _DATASETS)]
    return _vary(out)


_HOWTO_TASKS = [
    "making sourdough bread", "baking a lemon drizzle cake", "brewing cold brew coffee",
    "making fresh pasta", "pickling cucumbers", "roasting a chicken", "cooking risotto",
    "planting tulip bulbs", "repotting a cactus", "pruning an apple tree", "composting at home",
    "building a raised garden bed", "assembling a flat-pack wardrobe", "hanging a heavy mirror",
    "bleeding a radiator", "replacing a bike chain", "patching a bike tube",
    "changing a car tyre", "jump-starting a car", "unclogging a sink", "painting a fence",
    "tiling a bathroom wall", "installing a ceiling fan", "setting up a fish tank",
    "training a puppy to sit", "knitting a scarf", "sewing on a button", "folding a fitted sheet",
    "ironing a shirt", "setting up a tent", "tying a bowline knot", "making a paper crane",
    "installing Python on Windows", "setting up a Raspberry Pi", "creating a Python virtual "
    "environment", "installing Docker on Ubuntu", "configuring SSH keys for GitHub",
    "backing up a laptop", "setting up a home printer", "resetting a smart speaker",
    "creating a pivot table in Excel", "writing a cover letter", "filing a tax return online",
    "applying for a passport", "preparing for a job interview", "doing CPR on an adult",
    "treating a minor burn", "stretching after a run", "meditating for beginners",
]
_HOWTO_FRAMES = [
    "Write step-by-step instructions for {t}.", "Give me simple instructions for {t}.",
    "I need clear instructions for {t}, please.", "Can you list the steps for {t}?",
    "What are the instructions for {t}?", "Write a beginner's guide to {t}.",
    "Explain {t} in numbered steps.", "Turn these notes into instructions for {t}.",
    "My instructions for {t} are confusing. Can you rewrite them more clearly?",
    "Which step in {t} do people usually get wrong?",
]


def _howto() -> list[str]:
    return _vary([f.format(t=t) for f, t in itertools.product(_HOWTO_FRAMES, _HOWTO_TASKS)])


def families() -> dict[str, list[str]]:
    """Every family's prompts, deterministic, no randomness.

    Within a family and across families a prompt occurs once (the first family keeps it)."""
    built = {
        "declarative-news": _declarative_news(),
        "first-person-statements": _first_person(),
        "impersonal-questions": _impersonal_questions(),
        "instructional-requests": _instructional(),
        "technical-statements": _technical(),
        "opinions-and-experiences": _opinions(),
        "ml-and-safety-work": _ml_safety(),
        "how-to-instructions": _howto(),
    }
    return distinct(built)


def generate(seed: int = 17, per_family: int = 300) -> list[str]:
    """Deterministic sample: at most ``per_family`` prompts from each family."""
    return sample(families(), seed, per_family)


if __name__ == "__main__":
    show(families(), generate())
