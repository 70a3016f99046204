#!/usr/bin/env python3
"""Build the assetmap demo neighbourhood: Frome, Somerset.

Run from the repository root::

    python data/demo/build_demo.py

It writes five files next to this script:

* ``neighbourhoods.geojson`` - demo neighbourhood polygons that tile the town outline
* ``users.csv``              - invented residents, coaches, planners and an admin
* ``assets.geojson``         - invented skills, groups and spaces (points)
* ``gazetteer.csv``          - street, place and postcode look-up points
* ``ties.csv``               - which groups meet at which spaces, which groups run things
                               together, and a few skills offered to groups (kind, from_title,
                               to_title, state: accepted, or proposed for an offer not yet
                               answered)

Everything about people, groups and contacts is invented. Street and place positions are
approximate, from general knowledge of the town; the neighbourhood boundaries are drawn for
the demo (Voronoi cells of hand-placed area seeds, clipped to a rough town outline) and are
not official ward boundaries. The output is deterministic: same code, same files.

Needs the standard library, shapely, pyproj and numpy, and geopandas for the ties.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import random
import re
import unicodedata
from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import MultiPoint, Point, Polygon, mapping
from shapely.geometry.polygon import orient
from shapely.ops import unary_union, voronoi_diagram

SEED = 1782  # fixed: the demo must come out the same every time
OUT = Path(__file__).resolve().parent

# A local azimuthal equidistant projection centred on Market Place: pure arithmetic, no datum
# grids, so distances in metres are right at town scale and results do not depend on the
# machine's PROJ data.
CENTRE = (-2.3213, 51.2300)
_LOCAL = f"+proj=aeqd +lat_0={CENTRE[1]} +lon_0={CENTRE[0]} +ellps=WGS84 +units=m +no_defs"
TO_M = Transformer.from_crs("EPSG:4326", _LOCAL, always_xy=True)
TO_LL = Transformer.from_crs(_LOCAL, "EPSG:4326", always_xy=True)

TODAY = dt.date(2026, 11, 20)  # newest possible "last confirmed" date
OLDEST = dt.date(2025, 1, 1)

THEMES = (
    "food", "sport", "arts", "learning", "care", "environment", "digital", "languages",
    "faith", "children-young-people", "older-people", "health",
)
FACILITY_CODES = {
    "K": "kitchen", "T": "toilets", "A": "accessible toilet", "S": "step-free access",
    "W": "wifi", "P": "parking", "G": "garden", "H": "hall", "M": "meeting room",
    "F": "sports pitch", "J": "projector", "L": "hearing loop", "B": "baby change",
}

# --------------------------------------------------------------------------------------------
# Geography (lon, lat). Approximate, from general knowledge of the town.
# --------------------------------------------------------------------------------------------

# A rough outline of the built-up town, clockwise from the north.
TOWN_OUTLINE = [
    (-2.3160, 51.2470), (-2.3060, 51.2455), (-2.2985, 51.2415), (-2.2960, 51.2345),
    (-2.2975, 51.2270), (-2.3020, 51.2205), (-2.3110, 51.2160), (-2.3230, 51.2135),
    (-2.3340, 51.2160), (-2.3420, 51.2210), (-2.3460, 51.2285), (-2.3440, 51.2360),
    (-2.3380, 51.2420), (-2.3280, 51.2460),
]

# Demo neighbourhoods named after the town's wards, each drawn as the union of the Voronoi
# cells of a few hand-placed seeds. Code, name, seeds.
NEIGHBOURHOODS = [
    ("frome-market", "Market", [(-2.3208, 51.2294), (-2.3178, 51.2304)]),
    ("frome-welshmill", "Welshmill",
     [(-2.3262, 51.2314), (-2.3236, 51.2342), (-2.3322, 51.2302)]),
    ("frome-oakfield", "Oakfield",
     [(-2.3305, 51.2378), (-2.3395, 51.2338), (-2.3300, 51.2440)]),
    ("frome-college", "College",
     [(-2.3198, 51.2378), (-2.3200, 51.2440), (-2.3186, 51.2340)]),
    ("frome-berkley-down", "Berkley Down",
     [(-2.3112, 51.2382), (-2.3045, 51.2420), (-2.3055, 51.2330)]),
    ("frome-keyford", "Keyford",
     [(-2.3172, 51.2238), (-2.3098, 51.2266), (-2.3080, 51.2200), (-2.3180, 51.2170)]),
    ("frome-park", "Park",
     [(-2.3242, 51.2256), (-2.3322, 51.2228), (-2.3410, 51.2262), (-2.3272, 51.2180)]),
]

# Streets: name, lon, lat, residential (somewhere people in the demo live).
STREETS = [
    ("Market Place", -2.32130, 51.22960, False),
    ("Cheap Street", -2.32040, 51.22915, False),
    ("Catherine Hill", -2.32270, 51.22985, True),
    ("Catherine Street", -2.32420, 51.22940, True),
    ("Stony Street", -2.32180, 51.22920, False),
    ("Bath Street", -2.31960, 51.22835, True),
    ("King Street", -2.32010, 51.22880, False),
    ("Palmer Street", -2.32160, 51.22840, True),
    ("Vicarage Street", -2.31840, 51.22870, True),
    ("Gentle Street", -2.31900, 51.22780, True),
    ("Cork Street", -2.31950, 51.22880, True),
    ("Bridge Street", -2.32050, 51.23040, False),
    ("North Parade", -2.31880, 51.23100, True),
    ("Justice Lane", -2.32160, 51.23120, True),
    ("Merchants Barton", -2.31820, 51.23050, False),
    ("Whittox Lane", -2.32320, 51.22990, True),
    ("Zion Path", -2.32300, 51.23040, True),
    ("Milk Street", -2.32500, 51.22920, True),
    ("Christchurch Street West", -2.32400, 51.22780, True),
    ("Christchurch Street East", -2.31700, 51.22720, True),
    ("South Parade", -2.31900, 51.22700, True),
    ("Gorehedge", -2.31800, 51.22650, True),
    ("Portway", -2.31500, 51.22850, True),
    ("Wallbridge", -2.31150, 51.22850, True),
    ("Station Approach", -2.31120, 51.22700, False),
    ("Warminster Road", -2.30600, 51.22850, True),
    ("Rossiter's Hill", -2.30850, 51.22600, True),
    ("Easthill", -2.31250, 51.23000, True),
    ("Rodden Road", -2.31050, 51.23250, True),
    ("Willow Vale", -2.32250, 51.23200, True),
    ("Trinity Street", -2.32550, 51.23100, True),
    ("Naish's Street", -2.32700, 51.23150, True),
    ("Castle Street", -2.32560, 51.23010, True),
    ("Vallis Way", -2.33150, 51.23080, True),
    ("Vallis Road", -2.33450, 51.23180, True),
    ("Goulds Ground", -2.32800, 51.23260, True),
    ("Welshmill Lane", -2.32300, 51.23280, True),
    ("Welshmill Road", -2.32430, 51.23400, True),
    ("Innox Hill", -2.32850, 51.23450, True),
    ("Spring Road", -2.32600, 51.23800, True),
    ("Oakfield Road", -2.32800, 51.23680, True),
    ("Egford Lane", -2.34000, 51.23050, True),
    ("Fromefield", -2.31920, 51.23450, True),
    ("Bath Road", -2.32150, 51.23900, True),
    ("Princess Anne Road", -2.32400, 51.23880, True),
    ("Berkley Road", -2.31300, 51.23750, True),
    ("Clink Road", -2.31400, 51.24400, True),
    ("Weymouth Road", -2.32050, 51.22600, True),
    ("Park Road", -2.32300, 51.22650, True),
    ("Somerset Road", -2.32450, 51.22450, True),
    ("Selwood Road", -2.32800, 51.22620, True),
    ("Broadway", -2.33060, 51.22630, True),
    ("Nunney Road", -2.33200, 51.22350, True),
    ("Marston Road", -2.32900, 51.21950, True),
    ("Keyford", -2.31830, 51.22450, True),
    ("Lower Keyford", -2.31880, 51.22560, True),
    ("Culver Hill", -2.31650, 51.22380, True),
    ("Locks Hill", -2.31500, 51.22500, True),
    ("The Butts", -2.31950, 51.22300, True),
    ("Butts Hill", -2.31850, 51.22200, True),
    ("Feltham Lane", -2.30900, 51.22150, True),
]

# Named places: name, lon, lat.
PLACES = [
    ("Market Place", -2.32130, 51.22960),
    ("Cheese and Grain", -2.31880, 51.23060),
    ("Frome Library", -2.32150, 51.23110),
    ("Rook Lane Chapel", -2.32010, 51.22820),
    ("St John's Church", -2.31930, 51.22870),
    ("Holy Trinity Church", -2.32600, 51.23080),
    ("Christ Church", -2.32280, 51.22770),
    ("Frome Town Hall", -2.32330, 51.22790),
    ("Frome Memorial Theatre", -2.32420, 51.22760),
    ("Black Swan Arts", -2.32060, 51.23020),
    ("Frome Museum", -2.31960, 51.23030),
    ("The Silk Mill", -2.31750, 51.23050),
    ("Saxonvale", -2.31750, 51.22980),
    ("Sheppards Barton", -2.32380, 51.22880),
    ("Badcox", -2.32650, 51.22850),
    ("Trinity", -2.32650, 51.23120),
    ("Welshmill", -2.32350, 51.23330),
    ("Mary Bailey Playing Field", -2.32280, 51.23290),
    ("Fromefield", -2.31950, 51.23450),
    ("Frome College", -2.32050, 51.24000),
    ("Frome Leisure Centre", -2.32350, 51.23950),
    ("Oakfield Academy", -2.32800, 51.23700),
    ("Frome Community Hospital", -2.31450, 51.23800),
    ("Selwood Academy", -2.31150, 51.23650),
    ("Badgers Hill", -2.31200, 51.23580),
    ("Rodden Meadow", -2.30700, 51.23250),
    ("Spring Gardens", -2.32200, 51.24400),
    ("Victoria Park", -2.32250, 51.22620),
    ("Keyford", -2.31850, 51.22450),
    ("Wallbridge", -2.31150, 51.22830),
    ("Frome railway station", -2.31060, 51.22720),
    ("Marston Gate", -2.32700, 51.21650),
]
PLACE = {name: (lon, lat) for name, lon, lat in PLACES}
STREET = {name: (lon, lat) for name, lon, lat, _ in STREETS}

# Postcode sectors by demo neighbourhood (approximate, for the look-up only).
SECTOR_OF = {
    "frome-market": "1", "frome-keyford": "3", "frome-college": "2", "frome-berkley-down": "2",
    "frome-welshmill": "4", "frome-oakfield": "4", "frome-park": "5",
}
POSTCODE_STREETS = [
    "Market Place", "Bath Street", "Catherine Street", "Vicarage Street", "North Parade",
    "Christchurch Street West", "Christchurch Street East", "Portway", "Wallbridge",
    "Rodden Road", "Berkley Road", "Clink Road", "Fromefield", "Bath Road",
    "Princess Anne Road", "Trinity Street", "Vallis Way", "Welshmill Road", "Oakfield Road",
    "Innox Hill", "Selwood Road", "Nunney Road", "Somerset Road", "Keyford", "Locks Hill",
    "Butts Hill",
]

# How many of the 120 residents live in each neighbourhood: the centre and the older
# terraces are busy, Oakfield and Berkley Down are deliberately thin (under-mapped).
RESIDENTS_PER_NB = {
    "frome-market": 24, "frome-welshmill": 23, "frome-park": 23, "frome-keyford": 22,
    "frome-college": 16, "frome-berkley-down": 6, "frome-oakfield": 6,
}
# Names people use for each area, for area-named groups and spaces.
AREA_LABELS = {
    "frome-market": ["Town Centre", "Catherine Hill"],
    "frome-welshmill": ["Welshmill", "Trinity"],
    "frome-oakfield": ["Oakfield"],
    "frome-college": ["Fromefield", "Bath Road"],
    "frome-berkley-down": ["Berkley Down"],
    "frome-keyford": ["Keyford", "Wallbridge", "Butts Hill"],
    "frome-park": ["Victoria Park", "Selwood", "Nunney Road"],
}
# Where area-named groups and spaces tend to be set up (relative weights).
AREA_WEIGHTS = {
    "frome-market": 3, "frome-welshmill": 4, "frome-park": 5, "frome-keyford": 5,
    "frome-college": 3, "frome-berkley-down": 1, "frome-oakfield": 1,
}

# --------------------------------------------------------------------------------------------
# People (invented). Names are grouped so first names and surnames go together plausibly.
# --------------------------------------------------------------------------------------------

NAME_POOLS = [
    (50, "Amelia Oliver Isla George Freya Harry Poppy Jack Ruby Noah Leo Ella Arthur Maisie "
         "Alfie Grace Oscar Evie Theo Lily Finn Rosie Sam Hannah Tom Megan Dan Chloe Ben Sophie "
         "Joe Lucy Rob Kate Mark Helen Steve Jenny Paul Sue Dave Margaret Brian Pat Ken Jean "
         "Colin Maureen Roger Wendy Trevor Linda Nigel Carol Gordon Judith",
     "Smith Taylor Brown Wilson Thomas Roberts Walker Wright Robinson Thompson White Hughes "
     "Edwards Green Hall Wood Harris Clarke Martin Cooper Hill Ward Morris Moore Baker Harrison "
     "Lewis Young King Bennett Mitchell Turner Fisher Palmer Weaver Tucker Dyer Fuller Hooper "
     "Coombs Chivers Gulliver Pearce Yeates Pike Frayling Horler Maidment"),
    (6, "Agnieszka Tomasz Kasia Piotr Marta Łukasz Zofia Paweł Ewa Marek",
     "Nowak Wójcik Kaczmarek Mazur Krawczyk Dudek Sikora"),
    (5, "Ana João Beatriz Tiago Inês Rui Mariana Gabriel",
     "Silva Santos Ferreira Oliveira Costa Pereira Almeida"),
    (3, "Olena Dmytro Iryna Oksana Andriy",
     "Kovalenko Shevchenko Bondarenko Tkachenko"),
    (2, "Andrei Ioana Mihai Elena", "Popescu Ionescu Dumitru"),
    (3, "Priya Arjun Anil Sunita Ravi Nisha Meera Vikram", "Patel Sharma Mistry Shah Joshi"),
    (3, "Aisha Yusuf Zainab Bilal Farida Tariq Nadia Hamza", "Khan Hussain Ahmed Chaudhry Rahman"),
    (2, "Mei Wei Lin Jun", "Chen Li Wong Zhang"),
    (3, "Kwame Ama Chidi Nkechi Tunde Funmi", "Mensah Okafor Adeyemi Osei Boateng"),
    (4, "Siobhan Niamh Eilidh Rhys Gwen Carys Dylan Nia Callum",
     "O'Brien Murphy MacLeod Davies Llewellyn Pryce Fraser"),
    (2, "Santiago Lucía Carmen Mateo", "García Fernández Romero"),
]

STAFF = [
    ("Ruth Abernethy", "coach"), ("Kofi Asante", "coach"), ("Marta Lindqvist", "coach"),
    ("Helen Ashworth", "planner"), ("Imran Qureshi", "planner"),
    ("Sam Hollis", "admin"),
]

# --------------------------------------------------------------------------------------------
# Skills. titles ("|" separates alternative titles), description, themes, tags, share modes.
# --------------------------------------------------------------------------------------------

SKILLS = [
    ("Guitar lessons for beginners|Acoustic guitar: first chords and strumming",
     "I teach acoustic guitar to complete beginners, from first chords to simple songs. I can "
     "lend a spare guitar while you find out if it's for you.",
     "arts learning", "guitar music", "teach lend"),
    ("Bike repairs and tune-ups|Puncture repairs and bike safety checks",
     "I fix punctures, adjust gears and brakes, and I'm happy to show you how so you can do it "
     "yourself next time.", "sport environment", "bikes repair cycling", "do teach"),
    ("Sewing machine basics|Learn to use your sewing machine",
     "I'll show you how to thread a machine, wind a bobbin and sew straight seams. Then we can "
     "make a simple cushion cover together.", "arts learning", "sewing textiles", "teach"),
    ("Clothes mending and alterations|Visible mending and darning",
     "Hems, zips, buttons and patches: I love giving clothes a longer life and sharing the "
     "tricks.", "environment arts", "sewing mending repair", "do teach"),
    ("Polish conversation practice|Polish and English language swap",
     "Native Polish speaker who enjoys chatting over a cuppa with anyone learning Polish. Just "
     "as happy to help Polish-speaking neighbours practise English.",
     "languages", "polish conversation", "talk teach"),
    ("Portuguese for beginners|Brazilian Portuguese conversation",
     "Relaxed Portuguese sessions, from greetings to ordering in a café, with plenty of music "
     "and good humour.", "languages learning", "portuguese", "teach talk"),
    ("British Sign Language taster sessions|BSL basics for families",
     "I'm a BSL user and love sharing the basics: fingerspelling, greetings and everyday signs. "
     "Great for families and workplaces.",
     "languages learning", "bsl sign-language deaf-awareness", "teach"),
    ("Help with smartphones and tablets|Smartphone confidence sessions",
     "Patient, jargon-free help setting up phones and tablets, making video calls to family and "
     "staying safe online.", "digital older-people", "smartphones tablets video-calls",
     "teach do"),
    ("Laptop and PC troubleshooting|Computer tidy-ups and backups",
     "I can speed up a slow laptop, set up backups and get printers talking to computers.",
     "digital", "computers repair", "do teach"),
    ("Vegetable gardening advice|Growing veg in small spaces",
     "Thirty years of growing vegetables on an allotment. Happy to talk through what to sow "
     "when, and I share spare seedlings every spring.",
     "environment food", "gardening vegetables seedlings", "talk lend"),
    ("Garden tools to borrow|Lawnmower and hedge trimmer to lend",
     "Spare spades, forks, a lawn edger and a hedge trimmer, all well looked after. Borrow them "
     "for the weekend.", "environment", "gardening tools lending", "lend"),
    ("Fruit tree pruning|Orchard care and pruning",
     "I prune apple, pear and plum trees and enjoy teaching the why as well as the how.",
     "environment food", "orchard pruning fruit", "do teach"),
    ("Sourdough bread baking|Bread making for beginners",
     "I'll share some of my sourdough starter and show you the knack of kneading and shaping a "
     "loaf.", "food learning", "baking sourdough bread", "teach"),
    ("Cooking tasty meals on a budget|Family cooking from simple ingredients",
     "Tasty family meals from simple, affordable ingredients. I'm happy to cook alongside you "
     "and swap recipes.", "food", "cooking recipes", "teach talk"),
    ("Celebration cake decorating|Cake baking and icing",
     "Birthday and celebration cakes with piped icing and sugar flowers. I'll teach you the "
     "techniques step by step.", "food arts", "baking cakes", "teach do"),
    ("Small electrical repairs|Lamp and kettle fixing",
     "Lamps, kettles, radios and toasters: I'll take a careful look and show you what's inside. "
     "Retired electrician.", "environment", "repair electronics", "do teach"),
    ("Knitting and crochet|Crochet for beginners",
     "From casting on to your first granny square, I enjoy teaching knitting and crochet at "
     "any pace.", "arts", "knitting crochet yarn", "teach"),
    ("Watercolour painting|Painting landscapes in watercolour",
     "I paint local scenes and love helping beginners loosen up with colour and water.",
     "arts", "painting watercolour", "teach"),
    ("Sketching outdoors|Urban sketching around town",
     "Join me sketching the streets and rooftops of Frome; all you need is a pencil and a "
     "notebook.", "arts health", "drawing sketching", "teach talk"),
    ("Photography tips|Getting more from your phone camera",
     "I can help you get more from your camera or phone, from composition to simple editing.",
     "arts digital", "photography", "teach talk"),
    ("Piano lessons|Piano for adult beginners",
     "Friendly piano lessons for children and adults, reading music or playing by ear.",
     "arts learning", "piano music", "teach"),
    ("Singing for fun|Finding your singing voice",
     "Warm-ups, breathing and simple harmonies. I help people who think they can't sing "
     "discover that they can.", "arts health", "singing voice", "teach"),
    ("GCSE maths tutoring|Maths support for teenagers",
     "Former maths teacher who enjoys building young people's confidence with numbers.",
     "learning children-young-people", "maths gcse tutoring", "teach"),
    ("Reading buddy for children|Storytime and reading practice",
     "I love reading with children and helping them discover books that excite them.",
     "learning children-young-people", "reading books", "teach talk"),
    ("English conversation for newcomers|Friendly English practice",
     "Relaxed conversation practice for anyone new to Frome who wants to build confidence in "
     "everyday English.", "languages learning", "english esol conversation", "talk teach"),
    ("Spanish conversation|Spanish for holidays",
     "Native Spanish speaker from Valencia, happy to chat in Spanish with learners at any "
     "level.", "languages", "spanish conversation", "talk teach"),
    ("French for travellers|Brush up your French",
     "Practical French for holidays and beyond, taught with a lot of laughter.",
     "languages", "french", "teach"),
    ("Ukrainian and Russian translation|Help with Ukrainian letters and forms",
     "I can translate letters and come along to appointments to interpret in Ukrainian or "
     "Russian.", "languages care", "ukrainian russian translation", "do talk"),
    ("Romanian conversation and translation",
     "Romanian speaker, happy to translate and to welcome newly arrived Romanian-speaking "
     "families.", "languages", "romanian translation", "do talk"),
    ("Arabic conversation|Arabic script for beginners",
     "I enjoy teaching the Arabic alphabet and everyday phrases, and chatting with learners.",
     "languages", "arabic", "teach talk"),
    ("Urdu and Punjabi conversation",
     "Happy to chat in Urdu or Punjabi with learners, and to help translate at community "
     "events.", "languages", "urdu punjabi", "talk do"),
    ("Welsh for beginners|Learn some Welsh",
     "Croeso! I grew up in Carmarthen and love sharing everyday Welsh with learners.",
     "languages learning", "welsh", "teach"),
    ("Gentle yoga|Chair yoga",
     "Gentle yoga suited to stiff joints, including chair-based options.",
     "health sport", "yoga wellbeing", "teach"),
    ("Running buddy|Couch to 5k companion",
     "I'm happy to run with anyone building up from walking to running, at your pace.",
     "sport health", "running", "do talk"),
    ("Tai chi basics",
     "Slow, flowing movements that help balance and calm. I teach the short form in my garden "
     "or a local hall.", "health older-people", "tai-chi balance", "teach"),
    ("Flat-pack and shelf putting-up|Odd jobs and DIY help",
     "Shelves, curtain poles and flat-pack furniture: I have the tools and the patience.",
     "care older-people", "diy odd-jobs", "do"),
    ("Power tools to lend|Drill, sander and ladder to borrow",
     "A cordless drill, an orbital sander and a long ladder, available to borrow.",
     "environment", "tools diy lending", "lend"),
    ("Woodwork and carpentry|Green-wood spoon carving",
     "I teach basic joinery and green-wood spoon carving in my shed workshop.",
     "arts learning", "woodwork carving", "teach"),
    ("Furniture upcycling|Chalk paint makeovers",
     "Turn a tired chest of drawers into something you love. I'll show you prep, paint and "
     "waxing.", "environment arts", "upcycling furniture painting", "teach do"),
    ("Dog walking|Happy to walk your dog",
     "I enjoy walking dogs and can take yours out when you're at work or away for the day.",
     "care health", "dogs walking", "do"),
    ("Friendly phone calls|Befriending chats",
     "I enjoy a good natter and offer regular friendly phone calls to anyone who'd like one.",
     "care older-people", "befriending phone", "talk"),
    ("Lifts to appointments|Driving to hospital appointments",
     "I have a car and time on weekdays, and I'm glad to give lifts to GP and hospital "
     "appointments.", "care older-people health", "transport lifts", "do"),
    ("Shopping and errands for neighbours",
     "I'm out and about most days and happy to pick up shopping, parcels or prescriptions.",
     "care older-people", "shopping errands", "do"),
    ("A listening ear|Walk and talk companion",
     "Trained listener, happy to walk and talk or sit with a cup of tea.",
     "care health", "listening wellbeing", "talk"),
    ("CV writing and job applications|Interview practice",
     "I've hired people for years and enjoy helping others show their strengths on paper and "
     "in interviews.", "learning digital", "cv jobs interviews", "do teach"),
    ("Help with forms and letters",
     "I enjoy untangling official forms and letters and can sit with you while we fill them in.",
     "learning older-people", "forms paperwork", "do"),
    ("Beekeeping know-how|Honey and bees",
     "I keep three hives and love talking bees. Come and see a hive opened on a sunny day.",
     "environment food", "bees honey", "talk teach"),
    ("Foraging walks|Hedgerow foraging",
     "Wild garlic in spring, elderflower in summer and blackberries in autumn: I'll show you "
     "what to pick and how to use it.", "environment food", "foraging walks", "teach"),
    ("Birdwatching for beginners|Birdsong walks",
     "I can help you recognise the birds in your garden and along the river by sight and song.",
     "environment", "birds wildlife", "talk teach"),
    ("Composting know-how|Home composting and wormeries",
     "Happy to help you start a compost heap or wormery and turn kitchen scraps into rich "
     "soil for the garden.", "environment", "compost gardening", "teach talk"),
    ("Jam and chutney making|Preserving seasonal fruit",
     "I make jams, jellies and chutneys from local fruit and enjoy teaching the method.",
     "food", "preserves jam", "teach"),
    ("Chess coaching|Learn to play chess",
     "Club player happy to teach the rules, openings and tactics to children and adults.",
     "learning children-young-people", "chess games", "teach"),
    ("Storytelling for children",
     "Traditional tales told with props and songs, for nurseries, schools and parties.",
     "arts children-young-people", "stories", "do"),
    ("Face painting for events",
     "Butterflies, tigers and superheroes: I face paint at school fairs and street parties.",
     "arts children-young-people", "face-painting events", "do"),
    ("Football coaching for kids|Football skills sessions",
     "Qualified grassroots coach offering fun skills sessions for 6 to 12-year-olds.",
     "sport children-young-people", "football coaching", "teach"),
    ("Pottery and hand-building with clay",
     "I have a small kiln and love teaching pinch pots and coil building.",
     "arts", "pottery clay", "teach lend"),
    ("Calligraphy and hand lettering",
     "Beautiful lettering for cards and invitations, with pens and paper to try.",
     "arts", "calligraphy lettering", "teach"),
    ("Website building basics|Setting up a simple website",
     "I help clubs and small businesses set up a simple website they can update themselves.",
     "digital learning", "websites", "teach do"),
    ("Video editing for beginners",
     "Learn to cut, caption and share short videos on your phone or laptop.",
     "digital arts", "video editing", "teach"),
    ("Scratch and Python coding help",
     "Software developer who enjoys helping young people make their first games.",
     "digital children-young-people learning", "coding scratch python", "teach"),
    ("Household budgeting tips|Money and budgeting chats",
     "I'm good with spreadsheets and simple plans, and happy to share what works.",
     "learning", "money budgeting", "talk teach"),
    ("Bookkeeping for small groups|Treasurer support for clubs",
     "Retired accountant, happy to set up simple accounts for community groups and train new "
     "treasurers.", "learning", "bookkeeping treasurer", "do teach"),
    ("Funding bids for community groups|Grant writing help",
     "I've written successful funding bids for local charities and enjoy helping groups tell "
     "their story.", "learning", "funding writing", "do talk"),
    ("Proofreading and editing",
     "A careful second pair of eyes for newsletters, posters and funding applications.",
     "learning", "writing proofreading", "do"),
    ("PA system to lend|Sound engineering for events",
     "Speakers, microphones and a small mixing desk, plus someone who knows how to use them.",
     "arts", "sound events", "lend do"),
    ("Ukulele for beginners|Ukulele strumming",
     "Three chords and you're away! I have spare ukuleles to lend.",
     "arts", "ukulele music", "teach lend"),
    ("Drumming and percussion",
     "Hand drums and rhythm games for all ages; I bring the instruments.",
     "arts health", "drums percussion", "teach"),
    ("Salsa dancing basics|Dance lessons for couples",
     "Learn the basic steps and turns in a relaxed, laughter-filled session.",
     "sport arts", "dance salsa", "teach"),
    ("Healthy eating chats|Nutrition on a budget",
     "Qualified nutritionist happy to share simple, affordable ideas for eating well.",
     "health food", "nutrition", "talk"),
    ("First aid basics|Baby and child first aid",
     "Volunteer first aid trainer, happy to run a short session for your group or family.",
     "health learning", "first-aid", "teach"),
    ("Mindfulness and relaxation|Breathing and relaxation sessions",
     "Short, practical mindfulness sessions that fit into a busy day.",
     "health", "mindfulness wellbeing", "teach"),
    ("Local walking routes|Walks around Frome's lanes",
     "I know the footpaths around town very well and love sharing quiet routes.",
     "health environment", "walking routes", "talk do"),
    ("Sharing experience of caring|Support for dementia carers",
     "I cared for my mum for many years and am glad to share what I learned with other carers.",
     "care older-people", "carers dementia", "talk"),
    ("Crafts with recycled materials|Junk modelling with kids",
     "Boxes, bottle tops and fabric scraps become robots and castles. I run sessions for "
     "families.", "arts environment children-young-people", "crafts recycling", "teach"),
    ("Seed saving|Heritage seeds to share",
     "I save seed from heritage tomatoes and beans and am happy to share them and the know-how.",
     "environment food", "seeds gardening", "lend teach"),
    ("Houseplant cuttings to share|Houseplant care",
     "My windowsills are full of cuttings; take one home and I'll tell you how to look after it.",
     "environment", "houseplants cuttings", "lend talk"),
    ("Hedge laying",
     "I lay hedges the traditional Somerset way and enjoy teaching the craft in winter.",
     "environment learning", "hedges", "teach"),
    ("Dry stone walling",
     "Come and learn to build and repair dry stone walls on a practice day.",
     "environment learning", "walling stone", "teach"),
    ("Upholstery and re-caning chairs",
     "I reupholster chairs and stools and can teach you to do your own.",
     "arts environment", "upholstery", "teach do"),
    ("Children's bikes to borrow",
     "A shed full of outgrown children's bikes in good order, free to borrow or keep.",
     "sport children-young-people", "bikes lending", "lend"),
    ("Praying with neighbours|Quiet company and prayer",
     "I'm happy to pray with you, or simply to sit in quiet company.",
     "faith care", "prayer", "talk"),
    ("Organ and piano for services",
     "Church organist, happy to play for services, weddings and community celebrations.",
     "faith arts", "organ music", "do"),
    ("Breastfeeding peer support",
     "Trained peer supporter, happy to chat with new parents about feeding.",
     "children-young-people health", "parents babies", "talk"),
    ("Baby massage",
     "Gentle baby massage strokes that parents and babies enjoy together.",
     "children-young-people health", "babies", "teach"),
    ("Batch cooking and freezer meals",
     "I cook big and enjoy showing others how to stock a freezer with healthy meals.",
     "food care", "cooking batch-cooking", "do teach"),
    ("Fermenting: kimchi and sauerkraut",
     "Crunchy, tangy and good for you. I'll show you how to get started with a jar and some "
     "salt.", "food health", "fermenting", "teach"),
    ("Vegan cooking",
     "Hearty plant-based meals that even sceptics enjoy; recipes to take home.",
     "food", "vegan cooking", "teach"),
    ("Caribbean home cooking",
     "Rice and peas, curry goat and plantain, cooked the way my grandmother taught me.",
     "food", "cooking caribbean", "teach"),
    ("Indian home cooking|Spice blends and dhal",
     "Everyday Gujarati dishes and how to make your own spice blends.",
     "food", "cooking spices", "teach"),
    ("Local history talks|Frome's cloth-making history",
     "I give illustrated talks about the town's wool and cloth trade and its old streets.",
     "learning older-people", "history", "talk"),
    ("Family history research|Tracing your family tree",
     "I've traced my own family back to the 1700s and enjoy helping others begin.",
     "learning digital", "genealogy history", "teach talk"),
    ("Gardening for wildlife|Pollinator-friendly gardens",
     "Simple changes that bring bees, butterflies and birds into any garden.",
     "environment", "gardening wildlife pollinators", "talk"),
    ("Garden design ideas|Planning a small garden",
     "Garden designer who enjoys helping neighbours plan small gardens and shared spaces.",
     "environment arts", "gardens garden-design", "do talk"),
    ("Phone screen repairs",
     "I replace cracked screens and tired batteries, and show you how it's done.",
     "digital environment", "repair phones", "do"),
    ("Radio and hi-fi repair",
     "Valve radios, record players and amplifiers brought back to life.",
     "environment", "repair electronics audio", "do teach"),
    ("Knife and scissor sharpening",
     "Bring your blunt kitchen knives, scissors and garden shears.",
     "environment food", "sharpening tools", "do"),
    ("Board games to borrow",
     "A big shelf of family board games to borrow, plus tips on which to try.",
     "learning children-young-people", "games lending", "lend"),
    ("Books to borrow|Little lending shelf of novels",
     "Crime, romance and history paperbacks to borrow and pass on.",
     "learning", "books reading", "lend"),
    ("Table tennis partner",
     "Keen player looking forward to a friendly knock-about with anyone who enjoys the game.",
     "sport older-people", "table-tennis", "do"),
    ("Knitting for newborns",
     "I knit hats and cardigans for new babies in town and teach simple patterns.",
     "arts care", "knitting babies", "do teach"),
    ("Painting and decorating tips",
     "Former decorator, happy to share the tricks for clean edges and smooth walls.",
     "learning", "decorating diy", "teach talk"),
    ("Electric bike advice|E-bike test rides",
     "I ride an e-bike every day and am happy to talk it through and let you try it.",
     "environment sport", "e-bikes cycling", "talk lend"),
    ("Energy saving at home",
     "Practical tips on draught-proofing, heating controls and saving energy, from someone who "
     "has done it.", "environment", "energy insulation", "talk"),
    ("Rag rug making",
     "Old T-shirts and fabric scraps become colourful rugs. Tools to lend.",
     "arts environment", "rag-rugs textiles", "teach lend"),
    ("Cricket coaching",
     "Patient coaching in batting and bowling for juniors on summer evenings.",
     "sport children-young-people", "cricket", "teach"),
    ("Basketball shooting practice",
     "Former club player happy to run shooting drills with young people at the local court.",
     "sport children-young-people", "basketball", "teach"),
    ("Pilates for beginners",
     "Qualified instructor offering gentle mat-based Pilates for strength and posture.",
     "health sport", "pilates", "teach"),
    ("Hairdressing at home",
     "Retired hairdresser, happy to cut hair at home for anyone who finds getting out tricky.",
     "care older-people", "hairdressing", "do"),
    ("Toy repairs",
     "Teddies restuffed, wooden toys glued and battery toys revived.",
     "children-young-people environment", "repair toys", "do"),
    ("Soap and candle making",
     "Natural soaps and beeswax candles: a lovely craft to learn and give as presents.",
     "arts", "soap candles", "teach"),
]

PERSONAS = [
    "Retired primary school teacher, so plenty of patience.",
    "I'm around most evenings and love meeting neighbours.",
    "I learned this from my grandmother and love passing it on.",
    "Complete beginners very welcome.",
    "No charge: a cup of tea is plenty.",
    "I moved to Frome recently and would love to meet people.",
    "Happy to meet at the library if you'd prefer.",
    "Children welcome with a grown-up.",
    "I've done this for over twenty years and still enjoy it.",
    "Bring your own project or just come along and try.",
]
SKILL_AVAILABILITY = [
    "Weekday evenings", "Saturday mornings", "Weekends, by arrangement",
    "Tuesday and Thursday afternoons", "School holidays", "Most evenings after 6pm",
    "Flexible, just get in touch", "Weekday mornings", "Sunday afternoons",
]
SKILL_ACCESS = [
    "Can come to you", "Happy to meet somewhere step-free", "Ground-floor flat, step-free",
    "Online or by phone too", "Garden workshop, two steps down",
]

# --------------------------------------------------------------------------------------------
# Groups: title, description, themes, tags, meeting pattern, welcomes new members, location.
# Location is "place:NAME", "street:NAME" or "nb:CODE" (a residential street there).
# --------------------------------------------------------------------------------------------

GROUPS = [
    ("Fish & chips quiz night",
     "A friendly monthly quiz with a fish and chips supper in the pub's upstairs room. Teams "
     "of up to six, or come on your own and we will find you a team.",
     "food older-people", "quiz pub social", "First Friday of the month, 7.30pm", True,
     "street:Catherine Street"),
    ("Selwood Spokes cycling club",
     "Social road and gravel rides at a no-drop pace, with a coffee stop halfway. Routes of 20 "
     "to 40 miles through the lanes around Frome.",
     "sport health", "cycling rides", "Sunday mornings, 9am from Market Place", True,
     "place:Market Place"),
    ("Saturday Fixers repair café",
     "Bring a broken lamp, jumper or toaster and fix it together with our volunteer menders. "
     "Tea and cake while you wait.", "environment learning", "repair reuse repair-cafe",
     "Second Saturday of the month, 10am–1pm", True, "place:Cheese and Grain"),
    ("Trinity Community Choir",
     "A no-audition community choir singing everything from folk to pop in four-part harmony. "
     "We learn by ear, so sheet music is optional.", "arts health", "choir singing",
     "Wednesdays 7–8.30pm", True, "place:Holy Trinity Church"),
    ("Badcox Lunch Club",
     "A hot two-course lunch, good company and a raffle every week. Volunteers cook fresh and "
     "newcomers are warmly welcomed.", "food older-people", "lunch-club social",
     "Tuesdays 12–2pm", True, "place:Badcox"),
    ("Keyford Youth Club",
     "Games, music, cooking and day trips for 11 to 16-year-olds, run with young people's ideas "
     "at the centre.", "children-young-people sport", "youth-club teens",
     "Mondays and Thursdays 6–8pm", True, "place:Keyford"),
    ("Tai Chi in Victoria Park",
     "Slow, flowing tai chi in the open air, good for balance and calm. All ages and "
     "abilities.", "health older-people", "tai-chi outdoors", "Saturdays 9–10am", True,
     "place:Victoria Park"),
    ("Saturday Morning Joggers",
     "A relaxed 5k jog around the park and back, with walkers and buggies welcome.",
     "sport health", "running jogging", "Saturdays 9am", True, "place:Victoria Park"),
    ("Library Lovers book group",
     "We read one book a month, fiction and non-fiction, and chat about it over tea. Copies "
     "are borrowed through the library.", "learning arts", "books reading",
     "Last Thursday of the month, 6.30pm", True, "place:Frome Library"),
    ("Polish Saturday School",
     "Polish language, songs and culture for children aged 5 to 14, taught by volunteer parents "
     "and teachers.", "languages children-young-people learning", "polish school",
     "Saturdays 10am–1pm, term time", True, "place:Selwood Academy"),
    ("Portuguese-speaking families meet-up",
     "Families who speak Portuguese meet to share food, music and stories while the children "
     "play together. Everyone is welcome.", "languages children-young-people food",
     "portuguese families", "Second Sunday of the month, 2–5pm", True, "nb:frome-keyford"),
    ("BSL Café",
     "Come and chat in British Sign Language over coffee, whether you're fluent or learning "
     "your first signs.", "languages health", "bsl deaf sign-language",
     "Third Wednesday of the month, 6–8pm", True, "place:Black Swan Arts"),
    ("Digital drop-in at the library",
     "Bring your phone, tablet or laptop and our volunteers will help with whatever you'd like "
     "to learn, from email to online banking.", "digital older-people learning",
     "digital-skills drop-in", "Fridays 10am–12pm", True, "place:Frome Library"),
    ("Tech Buddies for over-60s",
     "Small, friendly sessions pairing older learners with a patient tech buddy for video "
     "calls, photos and online shopping.", "digital older-people", "tablets smartphones",
     "Wednesdays 2–4pm", True, "place:Christ Church"),
    ("Fridge Friends volunteer rota",
     "Volunteers who keep the community fridge stocked with surplus food from local shops and "
     "growers, so good food gets eaten.", "food environment",
     "community-fridge food-waste volunteering", "Daily check-ins, rota shared monthly", True,
     "place:Cheese and Grain"),
    ("Community Kitchen Saturdays",
     "Cook a seasonal meal together from scratch and sit down to eat it. A great way to pick "
     "up new recipes and meet people.", "food learning", "cooking shared-meal",
     "Saturdays 11am–2pm", True, "place:Christ Church"),
    ("Welshmill River Clean-up Crew",
     "We gather litter from the river banks and paths along the Frome, then celebrate with "
     "tea. Gloves and pickers provided.", "environment", "river litter-picking",
     "Last Sunday of the month, 10am–12pm", True, "place:Welshmill"),
    ("Rodden Meadow conservation volunteers",
     "Hands-on care of the meadow: hedge work, scything and wildflower surveys. Tools and "
     "training provided.", "environment health", "conservation meadow wildlife",
     "First Saturday of the month, 10am–1pm", True, "place:Rodden Meadow"),
    ("Butts Hill Allotment Society",
     "Allotment holders sharing seeds, tools and gardening know-how, plus an annual produce "
     "show.", "environment food", "allotments gardening",
     "Committee meets first Monday, 7pm; plot days at weekends", True, "street:Butts Hill"),
    ("Fromefield Gardening Club",
     "Monthly talks from gardeners, plant swaps and summer garden visits. Friendly to complete "
     "beginners.", "environment older-people", "gardening plant-swap talks",
     "Second Tuesday of the month, 7.30pm", True, "place:Fromefield"),
    ("Saxonvale Community Garden volunteers",
     "We grow vegetables, herbs and flowers together on a shared plot in the middle of town, "
     "and share the harvest.", "environment food health", "community-garden growing",
     "Wednesdays and Saturdays, 10am–1pm", True, "place:Saxonvale"),
    ("Seed Swap Circle",
     "Bring spare seeds, take home new ones. Seasonal swaps plus tips on saving seed from your "
     "own garden.", "environment food", "seeds seed-swap gardening",
     "February and September, Saturday mornings", True, "place:Frome Library"),
    ("Walking Netball",
     "Netball at walking pace: all the skill and fun of the game, gentle on joints. Ideal for "
     "returning players.", "sport older-people health", "netball walking-sports",
     "Thursdays 11am–12pm", True, "place:Frome Leisure Centre"),
    ("Walking Football for over-50s",
     "Football at a walking pace with plenty of laughs and a cuppa afterwards.",
     "sport older-people health", "football walking-sports", "Tuesdays 10–11am", True,
     "place:Mary Bailey Playing Field"),
    ("Girls' Football Training",
     "Fun football sessions for girls aged 8 to 14, with qualified volunteer coaches.",
     "sport children-young-people", "football girls", "Saturdays 10–11.30am", True,
     "place:Frome College"),
    ("Junior Chess Club",
     "Young players learn, play and enter friendly tournaments, helped by club volunteers.",
     "learning children-young-people", "chess", "Wednesdays 4–5.30pm, term time", True,
     "place:Frome Library"),
    ("Code Club for 9 to 13-year-olds",
     "Young people build games, animations and websites with Scratch and Python, helped by "
     "volunteer coders.", "digital children-young-people learning", "coding scratch python",
     "Thursdays 4–5.30pm, term time", True, "place:Frome Library"),
    ("Dads and Kids Saturday Club",
     "Dads, grandads and carers with their children share crafts, games and a bacon roll.",
     "children-young-people", "dads families", "First Saturday of the month, 10am–12pm", True,
     "place:St John's Church"),
    ("Carers' Coffee Morning",
     "A relaxed space for unpaid carers to share experience, tips and a laugh over coffee and "
     "cake.", "care health", "carers peer-support",
     "Second Wednesday of the month, 10.30am–12pm", True, "place:Frome Town Hall"),
    ("Sing and Remember",
     "Well-loved songs sung together in a warm, dementia-friendly group for people living with "
     "memory loss and those who care for them.", "older-people health arts",
     "dementia-friendly singing", "Mondays 2–3.30pm", True, "place:Christ Church"),
    ("Wallbridge Men's Shed",
     "A workshop where people come together to make, mend and chat. Woodwork, metalwork and "
     "plenty of tea, and all genders are welcome.", "older-people health learning",
     "mens-shed woodwork", "Tuesdays and Fridays 10am–3pm", True, "place:Wallbridge"),
    ("Lunch and Laughter for over-60s",
     "A home-cooked lunch followed by games, quizzes and occasional live music.",
     "food older-people", "lunch-club social", "Thursdays 12–2.30pm", True,
     "street:Locks Hill"),
    ("Stitch and Mend Circle",
     "Bring your knitting, sewing or mending and work alongside others. Skills are swapped "
     "freely and the tea keeps flowing.", "arts environment", "sewing mending",
     "Mondays 7–9pm", True, "street:Cheap Street"),
    ("Ukulele Jam",
     "Strum along to pop and folk songs with the words and chords on a big screen. Loan "
     "ukuleles available.", "arts", "ukulele music", "Every other Wednesday, 7.30pm", True,
     "street:Catherine Hill"),
    ("Folk session at the Weavers Arms",
     "An informal acoustic session of tunes and songs; players, singers and listeners all "
     "welcome.", "arts", "folk music", "Sunday evenings from 8pm", True, "street:Vallis Way"),
    ("Open Mic Night",
     "A supportive stage for first-timers and seasoned performers: music, poetry and comedy.",
     "arts", "open-mic music poetry", "Last Friday of the month, 7pm", True,
     "street:Bath Street"),
    ("Drawing Together life drawing group",
     "Untutored life drawing in a calm, respectful studio. All materials and abilities "
     "welcome.", "arts", "drawing life-drawing", "Tuesdays 7–9pm", True,
     "place:Black Swan Arts"),
    ("Frome Focus photography group",
     "Monthly photo walks and friendly critique evenings for phone and camera photographers.",
     "arts health", "photography walks", "First Sunday of the month, 10am", True,
     "place:Market Place"),
    ("Writers' Circle",
     "Share your writing and get gentle, constructive feedback. Poetry, fiction and memoir "
     "all welcome.", "arts learning", "writing poetry", "Alternate Mondays, 7pm", True,
     "place:Frome Library"),
    ("Cloth Town history walks",
     "Guided walks through the town's old streets, sharing stories of the wool and cloth "
     "trade.", "learning older-people health", "history walks",
     "Saturdays 11am, April to October", True, "place:Market Place"),
    ("Trinity Tuesday prayer and coffee",
     "A short time of quiet prayer followed by coffee and conversation. People of all faiths "
     "and none are welcome.", "faith care", "prayer coffee", "Tuesdays 10–11am", True,
     "place:Holy Trinity Church"),
    ("Women's faith and friendship circle",
     "Muslim women and friends meet for tea, conversation and shared learning in a warm, "
     "women-only space.", "faith care", "women friendship", "Fridays 1–3pm", True,
     "street:Selwood Road"),
    ("Interfaith tea and conversation",
     "People of different faiths and beliefs share food and talk about what matters to them.",
     "faith learning", "interfaith dialogue", "Quarterly, Sunday afternoons", True,
     "place:Rook Lane Chapel"),
    ("Rhyme Time for toddlers",
     "Songs, rhymes and stories for under-fives and their grown-ups. A lovely first step into "
     "the library.", "children-young-people arts learning", "toddlers rhymes",
     "Mondays 10.30–11am", True, "place:Frome Library"),
    ("Teen Drama Group",
     "Improvisation, scripts and a summer show for 12 to 18-year-olds. No experience needed, "
     "just enthusiasm.", "arts children-young-people", "drama theatre",
     "Wednesdays 6–8pm, term time", True, "place:Frome Memorial Theatre"),
    ("Skatepark Crew",
     "Young skaters and riders who help newcomers learn the basics and look after the park.",
     "sport children-young-people", "skateboarding bmx", "Saturday afternoons", True,
     "place:Mary Bailey Playing Field"),
    ("Badminton Social",
     "Mixed-ability doubles in a friendly atmosphere; rackets available to borrow.",
     "sport", "badminton", "Mondays 8–10pm", True, "place:Frome Leisure Centre"),
    ("Keyford Table Tennis Club",
     "Two tables, all abilities, coaching for juniors and a friendly league.",
     "sport older-people children-young-people", "table-tennis",
     "Tuesdays and Thursdays 7–9pm", True, "place:Keyford"),
    ("Victoria Park Bowls Friends",
     "Flat-green bowls for beginners and old hands, with tea in the pavilion. Woods provided.",
     "sport older-people", "bowls", "Wednesday and Saturday afternoons, May to September",
     True, "place:Victoria Park"),
    ("Yoga in the Park",
     "Outdoor yoga on the grass in summer and in a local hall in winter. Bring a mat or borrow "
     "one.", "health sport", "yoga outdoors", "Sundays 9–10am", True, "place:Victoria Park"),
    ("Mums on the Run",
     "A supportive running group for mums of all speeds, with buggy-friendly routes.",
     "sport health", "running parents", "Wednesdays 9.30am, after school drop-off", True,
     "place:Mary Bailey Playing Field"),
    ("Climate Action Café",
     "Neighbours sharing practical ideas for greener living, from insulation to car-sharing, "
     "over cake.", "environment", "climate energy", "First Thursday of the month, 7pm", True,
     "place:Cheese and Grain"),
    ("Bike Bus to School",
     "Families cycle to school together along Berkley Road with marshals at the front and "
     "back. Join at any stop.", "children-young-people sport environment",
     "cycling school-run", "Fridays 8.15am, term time", True, "street:Berkley Road"),
    ("Language Exchange Café",
     "Swap languages over coffee: practise English, Polish, Portuguese, Spanish, Ukrainian "
     "and more.", "languages", "language-exchange conversation", "Saturdays 2–4pm", True,
     "place:Cheese and Grain"),
    ("Ukrainian community meet-up",
     "Ukrainian families and friends gather for food, music and mutual support. Neighbours "
     "are warmly welcome.", "languages care food", "ukrainian community",
     "Second Saturday of the month, 3–6pm", True, "place:Christ Church"),
    ("Cook and Eat for young people",
     "Young people aged 14 to 19 learn to cook simple, tasty meals and share them together.",
     "food children-young-people learning", "cooking youth", "Thursdays 5–7pm", True,
     "place:Keyford"),
    ("School breakfast club volunteers",
     "Volunteers who help serve breakfast and play games with children before school starts.",
     "food children-young-people", "breakfast volunteering", "Weekdays 7.45–8.45am, term time",
     True, "street:Nunney Road"),
    ("Memory Café",
     "A friendly café afternoon for people living with dementia and their families, with music "
     "and reminiscence.", "older-people health care", "dementia memory-cafe",
     "Fourth Tuesday of the month, 2–4pm", True, "place:Rook Lane Chapel"),
    ("Walk and Talk",
     "A gentle hour's walk with time to chat, good for body and mind. Led by trained walk "
     "leaders.", "health", "walking wellbeing", "Mondays 11am", True, "place:Welshmill"),
    ("Green Gym",
     "Outdoor conservation tasks that double as a workout: planting, path-building and "
     "coppicing.", "environment health", "conservation exercise", "Wednesdays 10am–1pm", True,
     "place:Rodden Meadow"),
    ("Community Orchard Group",
     "We care for a small community orchard, from winter pruning to the autumn apple-pressing "
     "day.", "environment food", "orchard apples", "Monthly work days, Saturdays", True,
     "place:Fromefield"),
    ("Board Games Night",
     "A big shelf of games, from quick card games to epic strategy. We'll teach you any of "
     "them.", "learning arts", "board-games social", "Every Tuesday 7–10pm", True,
     "street:Christchurch Street East"),
    ("Spokes and Sprockets bike workshop",
     "Volunteers refurbish donated bikes and teach maintenance skills; the bikes go to new "
     "homes.", "sport environment learning", "bikes repair reuse", "Thursdays 6–8pm", True,
     "street:Station Approach"),
    ("Keyford Beavers and Cubs",
     "Outdoor adventures, badges and campfires for 6 to 10-year-olds, led by volunteer "
     "leaders.", "children-young-people environment", "scouting outdoors",
     "Tuesdays 6–7.30pm, term time", False, "street:The Butts"),
    ("Sunday Lunch Table",
     "A shared Sunday roast for anyone who'd enjoy company with their lunch. Pay what you can.",
     "food older-people care", "sunday-lunch community-meal",
     "Last Sunday of the month, 1pm", True, "place:St John's Church"),
    ("St John's bell ringers",
     "Learn the art of change ringing with a friendly band; practice is followed by a trip to "
     "the pub.", "faith arts", "bell-ringing", "Thursdays 7.30–9pm", True,
     "place:St John's Church"),
    ("Church flower arrangers",
     "A cheerful group who arrange flowers for services and weddings, and teach the craft to "
     "newcomers.", "faith arts", "flowers", "Fridays 10am–12pm", True, "place:Christ Church"),
    ("Polish mums' coffee morning",
     "Polish-speaking mums and babies meet for coffee, play and a chat.",
     "languages children-young-people", "polish parents", "Thursdays 10am–12pm", True,
     "street:Nunney Road"),
    ("English conversation club",
     "Relaxed practice for people learning English, with volunteers and plenty of tea. All "
     "levels.", "languages learning", "esol english", "Mondays 6–7.30pm", True,
     "place:Frome Library"),
    ("Selwood Youth Band",
     "Young brass and woodwind players rehearse together and play at town events. Instruments "
     "available to borrow.", "arts children-young-people", "brass-band music",
     "Saturdays 10am–12pm", True, "place:Selwood Academy"),
    ("Oakfield Road walking bus",
     "Parents take turns walking groups of children to school along a set route.",
     "children-young-people health", "walking school-run", "Weekdays 8.20am, term time",
     True, "street:Oakfield Road"),
    ("Clink Road Running Club",
     "Evening runs for improvers, with a track session once a month.",
     "sport health", "running", "Tuesdays and Thursdays 6.30pm", True, "street:Clink Road"),
    ("Badgers Hill match-day volunteers",
     "Volunteers who help run match days, from the tea bar to the turnstile, and welcome "
     "families to the ground.", "sport", "football volunteering", "Home match days", True,
     "place:Badgers Hill"),
    ("Hospital garden volunteers",
     "We tend the courtyard garden at the community hospital so patients and visitors have a "
     "peaceful place to sit.", "environment health", "gardening hospital",
     "Thursdays 10am–12pm", True, "place:Frome Community Hospital"),
    ("Move and Groove",
     "Seated and standing exercise to music for people with long-term conditions, led by a "
     "qualified instructor.", "health older-people sport", "exercise movement",
     "Fridays 11am–12pm", True, "place:Frome Leisure Centre"),
    ("Gardening Together at Welshmill",
     "A gentle gardening group growing flowers and herbs in raised beds, great for wellbeing.",
     "environment health", "gardening wellbeing", "Tuesdays 10am–12pm", True,
     "place:Welshmill"),
    ("Spring Gardens riverside wildlife survey",
     "Volunteers record birds, bats and river plants along the river path and share what they "
     "find.", "environment learning", "wildlife survey river",
     "Second Sunday of the month, 8am", True, "place:Spring Gardens"),
]

# Group templates named after an area ("{area}").
GROUP_TEMPLATES = [
    ("{area} Litter Pickers",
     "Neighbours who meet to tidy streets and green spaces around {area}, then share a cuppa. "
     "Pickers and bags provided.", "environment", "litter-picking",
     "First Saturday of the month, 10am", True),
    ("{area} Parent and Toddler Group",
     "Play, songs and snacks for under-fives, and a friendly chat for parents and carers.",
     "children-young-people", "toddlers parents", "Wednesdays 9.30–11.30am, term time", True),
    ("{area} Walking Group",
     "Sociable walks of two to five miles from {area}, at a pace that suits the group.",
     "health older-people", "walking", "Thursdays 10am", True),
    ("{area} Knit and Natter",
     "Bring your knitting, crochet or any craft and enjoy good company. Beginners taught.",
     "arts older-people", "knitting crochet", "Mondays 2–4pm", True),
    ("{area} Street Party Crew",
     "Neighbours who plan summer street parties, picnics and winter light trails around {area}.",
     "food arts", "street-party events", "Monthly, weekday evenings", True),
    ("{area} Good Neighbours",
     "A friendly network of neighbours who pop round, pick up prescriptions and keep in touch.",
     "care older-people", "neighbours befriending", "Monthly coffee meet-up, Saturdays 10am",
     True),
    ("{area} Book Swap Club",
     "Swap paperbacks and recommendations with neighbours; children's books too.",
     "learning", "books book-swap", "Second Sunday of the month, 3pm", True),
    ("{area} Coffee Morning",
     "Coffee, cake and conversation: a simple way to get to know your neighbours.",
     "older-people care", "coffee social", "Fridays 10am–12pm", True),
    ("{area} Gardeners' Network",
     "Neighbours swapping plants, seeds and gardening tips, and helping each other with bigger "
     "garden jobs.", "environment", "gardening plant-swap", "Seasonal meet-ups, weekends",
     True),
]
GROUP_AVAILABILITY = [
    "Term time only", "Drop in any week", "All year round", "No need to book",
    "Summer months only", "Please message before your first visit",
]
GROUP_ACCESS = [
    "Step-free venue with accessible toilet", "Hearing loop available",
    "Ground floor, step-free", "Outdoors on mostly level paths",
    "Venue has steps; we can meet you at the door", "Quiet room available",
]

# --------------------------------------------------------------------------------------------
# Spaces: title, description, themes, tags, opening times, capacity, facility codes, location,
# accessibility (None: derived from the facilities).
# --------------------------------------------------------------------------------------------

SPACES = [
    ("Frome Library meeting room",
     "A bright, bookable meeting room at the library, ideal for groups of up to 30. Tea and "
     "coffee can be arranged.", "learning digital", "meeting-room library",
     "Library opening hours; bookable in advance", 30, "TASWMJLB", "place:Frome Library", None),
    ("Cheese and Grain main hall",
     "A large, flexible hall for markets, concerts and community events, with a café and bar.",
     "arts food", "venue events", "Daily; events by arrangement", 400, "KTASWHJL",
     "place:Cheese and Grain", None),
    ("Market Yard community fridge",
     "A community fridge where anyone can share surplus food and anyone can take it. Stocked "
     "daily by local shops, growers and neighbours.", "food environment",
     "community-fridge food-sharing", "Every day, 9am–7pm", 10, "S", "place:Cheese and Grain",
     "Step-free, at street level"),
    ("Rook Lane Chapel",
     "A beautifully restored chapel used for concerts, talks and community gatherings.",
     "arts faith", "venue chapel", "By arrangement", 150, "TASHJL", "place:Rook Lane Chapel",
     None),
    ("Victoria Park",
     "The town's Victorian park with lawns, flower beds, a play area and a café: perfect for "
     "picnics and outdoor activities.", "environment health children-young-people",
     "park play-area", "Daily, dawn to dusk", 400, "TGSB", "place:Victoria Park",
     "Level paths through most of the park"),
    ("Mary Bailey Playing Field",
     "An open playing field beside the river with a skatepark, play equipment and space for "
     "ball games.", "sport children-young-people environment", "playing-field skatepark",
     "Daily", 400, "FS", "place:Mary Bailey Playing Field",
     "Level tarmac path; the grass can be soft in winter"),
    ("Rodden Meadow",
     "A wildflower meadow and nature reserve with mown paths, great for wildlife walks and "
     "outdoor learning.", "environment health", "nature-reserve meadow", "Daily", 200, "P",
     "place:Rodden Meadow", "Mown grass paths, uneven in places"),
    ("Holy Trinity church hall",
     "A warm church hall with a kitchen, used by toddler groups, choirs and parties. Available "
     "to hire at community rates.", "faith children-young-people", "church-hall hire",
     "Weekdays 9am–9pm; weekends by arrangement", 80, "KTASHB", "place:Holy Trinity Church",
     None),
    ("Christ Church hall",
     "A large church hall with a well-equipped kitchen, home to lunch clubs, choirs and "
     "community meals.", "faith food", "church-hall", "Mon–Sat 9am–10pm", 100, "KTASHLW",
     "place:Christ Church", None),
    ("St John's church rooms",
     "Meeting rooms and a small hall next to the church, used for coffee mornings, rehearsals "
     "and classes.", "faith learning", "church-rooms", "Mon–Sat 9am–10pm", 60, "KTASHM",
     "place:St John's Church", None),
    ("Town Hall committee room",
     "A small meeting room suitable for committees, workshops and training.",
     "learning", "meeting-room", "Weekdays 9am–5pm, some evenings", 20, "TASWMJL",
     "place:Frome Town Hall", None),
    ("Black Swan Arts studio",
     "A creative studio for workshops and classes, with sinks, big tables and good light.",
     "arts", "studio workshops", "Tue–Sat 10am–5pm", 25, "TWS", "place:Black Swan Arts", None),
    ("Memorial Theatre rehearsal room",
     "A sprung-floor rehearsal room available to community drama, dance and music groups.",
     "arts children-young-people", "rehearsal dance", "Evenings and weekends, bookable", 40,
     "TAS", "place:Frome Memorial Theatre", None),
    ("Leisure centre sports hall",
     "A four-court sports hall for badminton, netball, five-a-side and more.",
     "sport health", "sports-hall", "Daily 7am–10pm", 120, "TASPHB",
     "place:Frome Leisure Centre", None),
    ("Frome College playing fields",
     "Grass and all-weather pitches let to community clubs on evenings and weekends.",
     "sport children-young-people", "pitches", "Weekday evenings and weekends", 200, "FTP",
     "place:Frome College", "Level access to the all-weather pitch"),
    ("Selwood Academy hall",
     "A school hall with a stage and kitchen, available to community groups outside school "
     "hours.", "learning children-young-people", "school-hall", "Weekday evenings, Saturdays",
     200, "KTASHPJ", "place:Selwood Academy", None),
    ("Badgers Hill clubhouse function room",
     "A function room overlooking the pitch, popular for parties, meetings and quiz nights.",
     "sport food", "function-room", "By arrangement; not on match days", 90, "KTASPW",
     "place:Badgers Hill", None),
    ("Welshmill Hub community room",
     "A friendly community room with a kitchenette, used for clubs, classes and celebrations.",
     "learning care", "community-room", "Mon–Sat 9am–9pm", 40, "KTASWMB", "place:Welshmill",
     None),
    ("Keyford Community Centre",
     "A main hall, small meeting room and kitchen at the heart of Keyford, home to youth clubs, "
     "lunch clubs and fitness classes.", "children-young-people older-people sport",
     "community-centre hall", "Daily 8am–10pm", 120, "KTASWHMPB", "place:Keyford", None),
    ("Park Road Scout Hut",
     "A wooden hut with a kitchen and outdoor space, available to hire when the scouts aren't "
     "using it.", "children-young-people environment", "scout-hut",
     "Weekends and some weekday evenings", 45, "KTGP", "street:Park Road",
     "Two steps at the entrance; portable ramp available"),
    ("Saxonvale Community Garden",
     "Raised beds, a polytunnel and a wildlife pond in the middle of town, open to volunteers "
     "and visitors alike.", "environment food health", "community-garden polytunnel",
     "Wednesdays and Saturdays 10am–1pm, and by arrangement", 30, "GS", "place:Saxonvale",
     "Firm, level paths; some raised beds at wheelchair height"),
    ("Butts Hill allotments",
     "Allotment plots with a shared shed and water troughs; half plots suit new growers.",
     "environment food", "allotments gardening", "Daily, dawn to dusk, for plot holders", 60,
     "GP", "street:Butts Hill", "Grass paths, uneven in places"),
    ("Nunney Road allotments",
     "Well-kept allotments with a seed-swap shelf in the shed and an open day each July.",
     "environment food", "allotments growing", "Daily for plot holders; open day in July", 50,
     "GPT", "street:Nunney Road", "Main path is level gravel"),
    ("Berkley Road allotment site",
     "A sunny allotment site with raised accessible plots and a communal tool store.",
     "environment food health", "allotments", "Daily for plot holders", 40, "GPS",
     "street:Berkley Road", "Raised plots reachable from a level path"),
    ("Fromefield community orchard",
     "A small orchard of heritage apple and pear trees, open for picnics, blossom walks and the "
     "autumn pressing day.", "environment food", "orchard", "Daily", 50, "G",
     "place:Fromefield", "Sloping grass; no formal paths"),
    ("Willow Vale riverside garden",
     "A small riverside garden with benches, bulbs and a bug hotel, looked after by neighbours.",
     "environment health", "riverside garden", "Daily", 20, "GS", "street:Willow Vale", None),
    ("The Weavers Arms skittle alley",
     "A traditional skittle alley behind the pub, available for parties and club nights.",
     "sport food", "skittles pub", "Evenings by arrangement", 40, "KT", "street:Vallis Way",
     "One step at the side door"),
    ("The Dyers' Rest function room",
     "An upstairs room at a town-centre pub, free to community groups on weekday evenings.",
     "food arts", "function-room pub", "Mon–Thu evenings", 50, "TWJ",
     "street:Catherine Street", "First floor, stairs only"),
    ("The Cloth Hall Inn garden room",
     "A garden room at the back of the pub for meetings, parties and acoustic nights.",
     "food arts", "function-room pub", "Daily from noon, by arrangement", 35, "TASGW",
     "street:Christchurch Street East", None),
    ("Catherine Hill café back room",
     "The café's back room can be booked free by small groups in exchange for buying a drink.",
     "food", "cafe meeting-room", "Tue–Sat 9am–4pm", 15, "TWS", "street:Catherine Hill",
     "Step-free from the side lane"),
    ("Sheppards Barton courtyard",
     "A sheltered courtyard suitable for small outdoor performances, markets and gatherings.",
     "arts", "courtyard outdoor", "By arrangement", 80, "S", "place:Sheppards Barton", None),
    ("Market Place event space",
     "The heart of town, used for markets, festivals and gatherings; community stalls can be "
     "booked.", "arts food", "market events", "Events by arrangement", 400, "S",
     "place:Market Place", "Level paving, some cobbles"),
    ("Community hospital garden",
     "A peaceful courtyard garden with seating and raised planters, open to patients, visitors "
     "and neighbours.", "health environment", "garden courtyard", "Daily 9am–6pm", 30, "GSAT",
     "place:Frome Community Hospital", None),
    ("Community hospital meeting room",
     "A quiet meeting room used by health walks, peer support groups and carers' sessions.",
     "health care", "meeting-room", "Weekdays 9am–5pm", 20, "TASMWL",
     "place:Frome Community Hospital", None),
    ("Berkley Down community hall",
     "A modern hall and meeting room in the north-east of town, used for fitness classes, "
     "parties and residents' meetings.", "sport care", "community-hall",
     "Mon–Sat 9am–10pm", 100, "KTASHMP", "nb:frome-berkley-down", None),
    ("Oakfield Road community room",
     "A small ground-floor room with a kitchenette, free to local groups on weekday evenings.",
     "care learning", "community-room", "Weekday evenings, Saturday mornings", 25, "KTASM",
     "street:Oakfield Road", None),
    ("Clink Road playing field",
     "An open grass field with goalposts and a small play area, free to use.",
     "sport children-young-people", "playing-field", "Daily", 300, "F", "street:Clink Road",
     "Level grass; no formal paths"),
    ("Keyford multi-use games area",
     "A fenced all-weather court for football, basketball and netball, free to use.",
     "sport children-young-people", "muga court", "Daily 8am–9pm", 30, "FS", "place:Keyford",
     None),
    ("Victoria Park play area",
     "Swings, slides and a sandpit for younger children, with benches for grown-ups.",
     "children-young-people", "playground", "Daily, dawn to dusk", 60, "TS",
     "place:Victoria Park", None),
    ("Marston Road sports ground",
     "Two grass pitches and a pavilion used by junior and adult teams.",
     "sport", "pitches pavilion", "Weekends and weekday evenings", 250, "FTPK",
     "street:Marston Road", "Pavilion has two steps; pitches reached over grass"),
    ("Wallbridge workshop space",
     "A shared workshop with benches and hand tools, home to the Men's Shed and open for repair "
     "sessions.", "learning environment", "workshop tools",
     "Tue and Fri 10am–3pm; other times by arrangement", 20, "TKS", "place:Wallbridge", None),
    ("Station Approach studio",
     "A small studio and rehearsal space for bands and dance groups.",
     "arts", "studio rehearsal", "Evenings and weekends", 25, "TW", "street:Station Approach",
     "Ground floor, one small step"),
    ("Bath Street dance studio",
     "A mirrored first-floor studio for dance, yoga and Pilates classes.",
     "arts health sport", "dance-studio", "Daily 8am–10pm", 30, "TW", "street:Bath Street",
     "First floor, stairs only"),
    ("Quiet study room at the Silk Mill",
     "A quiet room with desks and wifi for students and remote workers.",
     "learning digital", "study coworking", "Weekdays 9am–6pm", 12, "TWS",
     "place:The Silk Mill", None),
    ("Trinity community garden",
     "A pocket garden between terraced streets, with herbs, fruit bushes and a bench for "
     "resting.", "environment food", "community-garden herbs", "Daily", 20, "G",
     "place:Trinity", "Narrow gravel path, level"),
    ("Spring Gardens riverside meadow",
     "A riverside meadow on the edge of town, lovely for picnics, nature walks and outdoor "
     "play.", "environment health", "meadow river", "Daily", 150, "P",
     "place:Spring Gardens", "Rough grass and a muddy path after rain"),
    ("Selwood Road garden share",
     "A generous back garden offered to a neighbour who'd like space to grow vegetables. Tools "
     "and water provided.", "environment food", "garden-share growing", "By arrangement", 5,
     "G", "street:Selwood Road", "Side gate, level path"),
    ("Lower Keyford chapel hall",
     "A small chapel hall with a kitchen, used for prayer meetings, parent groups and birthday "
     "parties.", "faith children-young-people", "chapel-hall", "Weekdays 10am–9pm", 50, "KTH",
     "street:Lower Keyford", "Three steps at the entrance; side ramp on request"),
    ("Fromefield church hall",
     "A church hall with a kitchen and garden, available for community hire.",
     "faith", "church-hall", "Mon–Sat 9am–10pm", 70, "KTASHGP", "place:Fromefield", None),
    ("Frome College theatre",
     "A raked theatre with lighting and sound, available to community productions in the school "
     "holidays.", "arts", "theatre", "School holidays, by arrangement", 300, "TASJL",
     "place:Frome College", None),
    ("Oakfield Academy sports hall",
     "A school sports hall let to community clubs on weekday evenings.",
     "sport children-young-people", "sports-hall", "Weekday evenings, term time", 80, "TASP",
     "place:Oakfield Academy", None),
    ("Frome Museum study room",
     "A small room for local history groups, with maps and books to consult.",
     "learning older-people", "history archive", "Wed–Sat 10am–2pm", 12, "TM",
     "place:Frome Museum", "Entrance has steps; please ask about access"),
]

# Templates with a relative weight first.
SPACE_TEMPLATES = [
    (2, "Little free library on {street}",
     "A weatherproof book box by a front gate: take a book, leave a book. Children's shelf at "
     "the bottom.", "learning", "books little-library", "Always open", 5, "S",
     "On the pavement, step-free"),
    (2, "Shared garden on {street}",
     "A neighbour's garden shared for growing and relaxing, with raised beds and a bench in the "
     "sun.", "environment health", "garden-share gardens", "By arrangement", 8, "G",
     "Side gate with a small step"),
    (2, "{area} community room",
     "A small community room with a kitchenette, available free to local groups.",
     "care learning", "community-room", "Weekdays 9am–9pm", 30, "KTASM", None),
    (1, "{street} play street",
     "The street closes to traffic on set afternoons so children can play out together.",
     "children-young-people sport", "play-street", "First Sunday of the month, 2–5pm", 60, "S",
     "Level street, no kerbs to cross inside the closure"),
    (2, "Pocket park on {street}",
     "A small green with benches, fruit trees and planters, cared for by neighbours and open "
     "to all.", "environment health", "pocket-park green-space", "Daily", 25, "GS",
     "Level path from the pavement"),
    (1, "{street} sheltered housing common room",
     "The common room at a sheltered housing scheme, open to neighbours for coffee mornings, "
     "clubs and film afternoons.", "older-people care", "common-room",
     "Daily 10am–8pm", 30, "KTASL", None),
    (1, "Garage workshop on {street}",
     "A neighbour's garage workshop with a sturdy bench and hand tools, open for repair "
     "sessions and small making projects.", "environment learning", "workshop repair tools",
     "By arrangement, mostly weekends", 6, "P", "Level concrete floor, step-free"),
]
SPACE_AVAILABILITY = [
    "Bookable in advance", "Free for community groups", "Community rates available",
    "Some weekday slots free", "Ask about weekend availability",
]


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def to_m(lon: float, lat: float) -> tuple[float, float]:
    return TO_M.transform(lon, lat)


def to_ll(x: float, y: float) -> tuple[float, float]:
    return TO_LL.transform(x, y)


def _ll_array(coords: np.ndarray) -> np.ndarray:
    lon, lat = TO_LL.transform(coords[:, 0], coords[:, 1])
    return np.column_stack([lon, lat])


def ascii_fold(text: str) -> str:
    text = text.replace("Ł", "L").replace("ł", "l")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def slug(text: str, limit: int = 30) -> str:
    text = re.sub(r"<[^>]*>", " ", text)
    words = re.sub(r"[^a-z0-9]+", " ", ascii_fold(text).lower()).split()
    out = ""
    for word in words:
        candidate = f"{out}-{word}" if out else word
        if len(candidate) > limit:
            break
        out = candidate
    return out


def split(text: str) -> list[str]:
    return text.split() if text else []


class Town:
    """The neighbourhood polygons and point-in-neighbourhood look-ups."""

    def __init__(self) -> None:
        outline = Polygon([to_m(*p) for p in TOWN_OUTLINE])
        seeds, owner = [], []
        for code, _, points in NEIGHBOURHOODS:
            for p in points:
                seeds.append(to_m(*p))
                owner.append(code)
        cells = voronoi_diagram(MultiPoint(seeds), envelope=outline.buffer(3000))
        parts: dict[str, list] = {code: [] for code, _, _ in NEIGHBOURHOODS}
        for cell in cells.geoms:
            hits = [i for i, s in enumerate(seeds) if cell.contains(Point(s))]
            assert len(hits) == 1, "every Voronoi cell holds exactly one seed"
            parts[owner[hits[0]]].append(cell.intersection(outline))
        self.polygons: dict[str, Polygon] = {}
        for code, name, _ in NEIGHBOURHOODS:
            merged = unary_union(parts[code])
            assert merged.geom_type == "Polygon", f"{name} is not one piece"
            lonlat = shapely.transform(merged, _ll_array)
            lonlat = shapely.set_precision(lonlat, 1e-6)
            self.polygons[code] = orient(lonlat, sign=1.0)
        self.outline = unary_union(list(self.polygons.values()))
        self._prepared = list(self.polygons.items())
        for _, poly in self._prepared:
            shapely.prepare(poly)

    def which(self, lon: float, lat: float, strict: bool = True) -> str | None:
        """The neighbourhood holding the point; ``strict`` refuses points on a boundary."""
        point = Point(lon, lat)
        for code, poly in self._prepared:
            if poly.contains(point) if strict else poly.covers(point):
                return code
        return None

    def features(self) -> list[dict]:
        out = []
        for code, name, _ in NEIGHBOURHOODS:
            geom = mapping(self.polygons[code])
            geom = {
                "type": "Polygon",
                "coordinates": [
                    [[round(x, 6), round(y, 6)] for x, y in ring] for ring in geom["coordinates"]
                ],
            }
            out.append({
                "type": "Feature",
                "properties": {"code": code, "name": name},
                "geometry": geom,
            })
        return out


def jitter(lon: float, lat: float, radius_m: float, rng: random.Random) -> tuple[float, float]:
    x, y = to_m(lon, lat)
    r = radius_m * math.sqrt(rng.random())
    a = rng.random() * 2 * math.pi
    lon2, lat2 = to_ll(x + r * math.cos(a), y + r * math.sin(a))
    return round(lon2, 6), round(lat2, 6)


def place_near(town: Town, lon: float, lat: float, radius_m: float, rng: random.Random,
               want: str | None = None) -> tuple[tuple[float, float], str]:
    """A point within radius_m of (lon, lat) inside a neighbourhood (``want`` if given)."""
    for _ in range(500):
        p = jitter(lon, lat, radius_m, rng)
        code = town.which(*p)
        if code is not None and (want is None or code == want):
            return p, code
    raise RuntimeError(f"no point found near {lon}, {lat} in {want}")


def when_confirmed(rng: random.Random, scale_days: float) -> str:
    span = (TODAY - OLDEST).days
    while (back := int(rng.expovariate(1 / scale_days))) > span:
        pass
    return (TODAY - dt.timedelta(days=back)).isoformat()


class Phones:
    """Unique numbers from Ofcom's ranges reserved for drama."""

    def __init__(self, rng: random.Random) -> None:
        self.landlines = [f"01632 960{n:03d}" for n in rng.sample(range(1000), 1000)]
        self.mobiles = [f"07700 900{n:03d}" for n in rng.sample(range(1000), 1000)]

    def landline(self) -> str:
        return self.landlines.pop()

    def mobile(self) -> str:
        return self.mobiles.pop()


# --------------------------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------------------------


def build_people(town: Town, rng: random.Random) -> tuple[list[dict], list[dict]]:
    """Return (residents with invented homes, all users rows)."""
    pools = [(w, first.split(), last.split()) for w, first, last in NAME_POOLS]
    weights = [w for w, _, _ in pools]
    taken_names = {name for name, _ in STAFF}
    emails: set[str] = set()

    def email_for(name: str) -> str:
        base = ".".join(re.sub(r"[^a-z]", "", part) for part in ascii_fold(name).lower().split())
        email, n = f"{base}@example.org", 2
        while email in emails:
            email, n = f"{base}{n}@example.org", n + 1
        emails.add(email)
        return email

    streets_by_nb: dict[str, list[tuple[str, float, float]]] = {}
    for name, lon, lat, residential in STREETS:
        if residential:
            code = town.which(lon, lat)
            assert code is not None, f"{name} is outside the town outline"
            streets_by_nb.setdefault(code, []).append((name, lon, lat))

    residents = []
    for code, count in RESIDENTS_PER_NB.items():
        streets = streets_by_nb[code]
        for _ in range(count):
            while True:
                _, firsts, lasts = rng.choices(pools, weights=weights)[0]
                name = f"{rng.choice(firsts)} {rng.choice(lasts)}"
                if name not in taken_names:
                    break
            taken_names.add(name)
            street, lon, lat = rng.choice(streets)
            home, _ = place_near(town, lon, lat, 90, rng, want=code)
            residents.append({"name": name, "email": email_for(name), "nb": code,
                              "street": street, "home": home})
    rng.shuffle(residents)
    staff = [{"name": name, "email": email_for(name), "role": role} for name, role in STAFF]
    rows = [{"email": r["email"], "display_name": r["name"], "role": "resident"}
            for r in residents]
    rows += [{"email": s["email"], "display_name": s["name"], "role": s["role"]} for s in staff]
    return residents, rows


def asset(kind: str, title: str, description: str, themes: list[str], tags: list[str],
          point: tuple[float, float], **props) -> dict:
    assert 3 <= len(title) <= 80, title
    assert 1 <= len(themes) <= 3 and set(themes) <= set(THEMES), (title, themes)
    assert len(tags) <= 4 and all(t == t.lower() and len(t) <= 30 for t in tags), (title, tags)
    base = {
        "kind": kind, "title": title, "description": description, "themes": themes,
        "tags": tags, "availability": None, "accessibility": None, "contact": None,
        "contact_via_coach": False, "owner": None, "last_confirmed": None,
        "meeting_pattern": None, "welcomes_new_members": None, "opening_times": None,
        "capacity": None, "facilities": None, "share_modes": None,
    }
    base.update(props)
    return {"type": "Feature", "properties": base,
            "geometry": {"type": "Point", "coordinates": [point[0], point[1]]}}


def confirm_scale(code: str) -> float:
    # The thin neighbourhoods are also the stale ones: entries there were confirmed longer ago.
    return 300.0 if code in ("frome-oakfield", "frome-berkley-down") else 130.0


def build_skills(residents: list[dict], rng: random.Random, phones: Phones,
                 target: int) -> list[dict]:
    # Walk the templates in a shuffled order, using first titles, then alternative titles.
    order = list(range(len(SKILLS)))
    rng.shuffle(order)
    picks = [(i, 0) for i in order]
    extra = [(i, 1) for i in order if "|" in SKILLS[i][0]]
    picks += extra[: target - len(picks)]
    assert len(picks) == target, "not enough alternative skill titles"
    # Owners: everybody offers at least one skill; some offer two or three.
    owners = list(residents)
    while len(owners) < len(picks):
        owners.append(rng.choice(residents[: len(residents) // 2]))
    rng.shuffle(owners)
    features = []
    for (index, variant), person in zip(picks, owners, strict=True):
        titles, desc, themes, tags, modes = SKILLS[index]
        title = titles.split("|")[variant]
        if rng.random() < 0.4:
            desc = f"{desc} {rng.choice(PERSONAS)}"
        contact = person["email"] if rng.random() < 0.6 else phones.mobile()
        features.append(asset(
            "skill", title, desc, split(themes), split(tags), person["home"],
            availability=rng.choice(SKILL_AVAILABILITY) if rng.random() < 0.8 else None,
            accessibility=rng.choice(SKILL_ACCESS) if rng.random() < 0.45 else None,
            contact=contact, contact_via_coach=rng.random() < 0.6, owner=person["email"],
            last_confirmed=when_confirmed(rng, confirm_scale(person["nb"])),
            share_modes=split(modes),
        ))
    return features


def resolve(town: Town, where: str, rng: random.Random, radius_place: float = 18,
            radius_street: float = 60) -> tuple[tuple[float, float], str]:
    kind, _, name = where.partition(":")
    if kind == "place":
        return place_near(town, *PLACE[name], radius_place, rng)
    if kind == "street":
        lon, lat = STREET[name]
        return place_near(town, lon, lat, radius_street, rng, want=town.which(lon, lat))
    if kind == "nb":
        options = [s for s in STREETS if s[3] and town.which(s[1], s[2]) == name]
        street = rng.choice(options)
        return place_near(town, street[1], street[2], radius_street, rng, want=name)
    raise ValueError(where)


def group_contact(title: str, rng: random.Random, phones: Phones) -> str:
    roll = rng.random()
    if roll < 0.55:
        return f"{slug(title)}@example.com"
    return phones.landline() if roll < 0.8 else phones.mobile()


class Organisers:
    """Residents who run groups and look after spaces: a few of them run several."""

    def __init__(self, residents: list[dict], staff_emails: list[str], rng: random.Random):
        self.rng = rng
        self.residents = residents
        self.busy = rng.sample(residents, 15)  # the people who seem to run everything
        self.staff = staff_emails

    def pick(self, code: str) -> str:
        roll = self.rng.random()
        if roll < 0.06:
            return self.rng.choice(self.staff)
        if roll < 0.25:
            return self.rng.choice(self.busy)["email"]
        local = [r for r in self.residents if r["nb"] == code]
        pool = local if local and self.rng.random() < 0.7 else self.residents
        return self.rng.choice(pool)["email"]


def pick_area(rng: random.Random) -> str:
    codes = list(AREA_WEIGHTS)
    return rng.choices(codes, weights=[AREA_WEIGHTS[c] for c in codes])[0]


def area_label(town: Town, code: str, rng: random.Random) -> tuple[str, tuple[str, float, float]]:
    """A name for an area-named entry (the neighbourhood or one of its streets) and a street."""
    options = [s for s in STREETS if s[3] and town.which(s[1], s[2]) == code]
    street = rng.choice(options)
    label = rng.choice(AREA_LABELS[code]) if rng.random() < 0.5 else street[0]
    return label, street


def build_groups(town: Town, organisers: Organisers, rng: random.Random, phones: Phones,
                 target: int) -> list[dict]:
    features = []
    titles: set[str] = set()

    def add(title, desc, themes, tags, pattern, welcomes, point, code):
        titles.add(title)
        features.append(asset(
            "group", title, desc, split(themes), split(tags), point,
            availability=rng.choice(GROUP_AVAILABILITY) if rng.random() < 0.4 else None,
            accessibility=rng.choice(GROUP_ACCESS) if rng.random() < 0.65 else None,
            contact=group_contact(title, rng, phones), contact_via_coach=rng.random() < 0.6,
            owner=organisers.pick(code), last_confirmed=when_confirmed(rng, confirm_scale(code)),
            meeting_pattern=pattern, welcomes_new_members=welcomes,
        ))

    for title, desc, themes, tags, pattern, welcomes, where in GROUPS:
        point, code = resolve(town, where, rng)
        add(title, desc, themes, tags, pattern, welcomes, point, code)
    while len(features) < target:
        code = pick_area(rng)
        label, street = area_label(town, code, rng)
        title_t, desc_t, themes, tags, pattern, welcomes = rng.choice(GROUP_TEMPLATES)
        title = title_t.format(area=label)
        if title in titles:
            continue
        point, _ = place_near(town, street[1], street[2], 60, rng, want=code)
        add(title, desc_t.format(area=label), themes, tags, pattern,
            welcomes and rng.random() < 0.92, point, code)
    return features


def space_access(codes: str) -> str:
    if "S" in codes and "A" in codes:
        text = "Step-free entrance, accessible toilet"
    elif "S" in codes:
        text = "Step-free entrance"
    else:
        text = "Steps at the entrance; please ask about access"
    if "L" in codes:
        text += ", hearing loop"
    return text


def build_spaces(town: Town, organisers: Organisers, rng: random.Random, phones: Phones,
                 target: int) -> list[dict]:
    features = []
    titles: set[str] = set()

    def add(title, desc, themes, tags, opening, capacity, codes, access, point, code):
        titles.add(title)
        features.append(asset(
            "space", title, desc, split(themes), split(tags), point,
            availability=rng.choice(SPACE_AVAILABILITY) if rng.random() < 0.7 else None,
            accessibility=access if access is not None else space_access(codes),
            contact=group_contact(title, rng, phones), contact_via_coach=rng.random() < 0.6,
            owner=organisers.pick(code), last_confirmed=when_confirmed(rng, confirm_scale(code)),
            opening_times=opening, capacity=capacity,
            facilities=[FACILITY_CODES[c] for c in codes],
        ))

    used: dict[str, int] = dict.fromkeys((t[1] for t in SPACE_TEMPLATES), 0)
    for title, desc, themes, tags, opening, capacity, codes, where, access in SPACES:
        point, code = resolve(town, where, rng)
        add(title, desc, themes, tags, opening, capacity, codes, access, point, code)
    while len(features) < target:
        code = pick_area(rng)
        label, street = area_label(town, code, rng)
        _, title_t, desc, themes, tags, opening, capacity, codes, access = rng.choices(
            SPACE_TEMPLATES, weights=[t[0] for t in SPACE_TEMPLATES])[0]
        title = title_t.format(area=rng.choice(AREA_LABELS[code]), street=street[0])
        if title in titles or used[title_t] >= 6:
            continue
        used[title_t] += 1
        point, _ = place_near(town, street[1], street[2], 70, rng, want=code)
        add(title, desc, themes, tags, opening, capacity, codes, access, point, code)
    return features


def build_gazetteer(town: Town, rng: random.Random) -> list[dict]:
    rows = [{"name": n, "kind": "street", "lon": lon, "lat": lat} for n, lon, lat, _ in STREETS]
    rows += [{"name": n, "kind": "place", "lon": lon, "lat": lat} for n, lon, lat in PLACES]
    # Postcodes: the district, its sectors (centroid of the demo areas given each sector) and
    # a sample of units placed on streets. All approximate.
    centre = town.outline.centroid
    rows.append({"name": "BA11", "kind": "postcode", "lon": centre.x, "lat": centre.y})
    for sector in sorted(set(SECTOR_OF.values())):
        area = unary_union([p for c, p in town.polygons.items() if SECTOR_OF[c] == sector])
        point = area.representative_point() if area.geom_type != "Polygon" else area.centroid
        rows.append({"name": f"BA11 {sector}", "kind": "postcode", "lon": point.x,
                     "lat": point.y})
    letters = "ABDEFGHJLNPQRSTUWXYZ"  # letters used in the inward code (no C I K M O V)
    used: set[str] = set()
    for street in POSTCODE_STREETS:
        lon, lat = STREET[street]
        sector = SECTOR_OF[town.which(lon, lat)]
        while True:
            unit = f"BA11 {sector}{rng.choice(letters)}{rng.choice(letters)}"
            if unit not in used:
                break
        used.add(unit)
        rows.append({"name": unit, "kind": "postcode", "lon": lon, "lat": lat})
    for row in rows:
        row["lon"], row["lat"] = round(row["lon"], 6), round(row["lat"], 6)
    return rows


# -- ties between strengths ---------------------------------------------------------------------
# Which groups meet at which spaces, which groups run things together, and a few skills offered
# to groups. Worked out from the demo's own points, names, tags and themes with geopandas, in
# metres on the demo's local projection.

MEET_WITHIN_M = 600  # how far a group goes to the nearest suitable space
NAMED_WITHIN_M = 2000  # how far a space the group's name mentions may be
# Words of a space's title that say what it is rather than where: "Keyford Community Centre"
# is named for Keyford.
GENERIC_WORDS = set(split(
    "the a an of on at in and community centre center hall halls room rooms church chapel "
    "garden gardens allotment allotments site playing field fields sports ground park play "
    "area meeting main function back study common sheltered housing studio workshop space "
    "games multi-use academy college road street lane riverside meadow pocket shared "
    "little free library frome"
))
SPACE_INDOORS = set(split(
    "meeting-room library venue chapel church-hall church-rooms studio rehearsal dance "
    "sports-hall school-hall function-room community-room community-centre hall scout-hut "
    "skittles cafe community-hall workshop dance-studio study chapel-hall theatre history "
    "common-room pub"
))
SPACE_OUTDOORS = set(split(
    "park play-area playing-field skatepark nature-reserve meadow pitches community-garden "
    "allotments orchard riverside pocket-park green-space garden-share gardens garden muga"
))
GROUP_OUTDOORS = set(split(
    "outdoors running jogging walking gardening conservation litter-picking river allotments "
    "community-garden orchard bowls meadow wildlife skateboarding football plant-swap"
))
# Groups that meet on the move or in people's homes: no one space is where they meet.
GROUP_ELSEWHERE = set(split("school-run rides walks street-party befriending breakfast"))
# A group's tag, and the tags of spaces that suit it best.
SUITS = {
    "repair": "workshop tools repair", "repair-cafe": "workshop community-room",
    "bikes": "workshop tools repair", "woodwork": "workshop tools", "mens-shed": "workshop",
    "drama": "rehearsal theatre", "theatre": "rehearsal theatre", "movement": "dance-studio",
    "exercise": "dance-studio sports-hall", "badminton": "sports-hall",
    "netball": "sports-hall", "table-tennis": "community-centre sports-hall",
    "football": "pitches playing-field", "skateboarding": "skatepark",
    "running": "park playing-field", "jogging": "park playing-field", "bowls": "park",
    "tai-chi": "park", "yoga": "park",
    "walking": "park green-space pocket-park nature-reserve",
    "books": "library", "reading": "library", "digital-skills": "library",
    "writing": "library meeting-room", "chess": "library meeting-room",
    "toddlers": "church-hall community-room community-centre",
    "youth-club": "community-centre", "scouting": "scout-hut",
    "allotments": "allotments", "community-garden": "community-garden", "orchard": "orchard",
    "conservation": "meadow nature-reserve", "meadow": "meadow nature-reserve",
    "wildlife": "meadow nature-reserve river", "river": "riverside river",
    "litter-picking": "pocket-park green-space river", "gardening": "garden-share gardens",
    "plant-swap": "garden-share gardens community-garden", "hospital": "garden",
    "community-fridge": "community-fridge", "folk": "pub skittles", "quiz": "pub",
    "choir": "chapel church-hall", "singing": "chapel church-hall", "brass-band": "school-hall",
    "bell-ringing": "church-rooms", "flowers": "church-hall church-rooms",
    "prayer": "church-hall church-rooms", "dementia": "common-room community-room",
    "memory-cafe": "community-room", "lunch-club": "church-hall community-hall",
    "cooking": "community-room community-centre", "sunday-lunch": "church-hall",
    "knitting": "community-room common-room cafe", "sewing": "community-room",
    "mending": "community-room", "bsl": "cafe community-room meeting-room",
    "climate": "cafe community-room meeting-room", "families": "community-room church-hall",
    "women": "church-hall church-rooms community-room", "coffee": "cafe church-hall",
}
SUITS_TAGS = {tag: set(split(spaces)) for tag, spaces in SUITS.items()}
# Tags that say two groups do the same thing, so might run things together.
PARTNER_TAGS = set(split(
    "walking-sports polish repair reuse dementia-friendly dementia litter-picking singing "
    "running toddlers cooking conservation gardening community-garden esol languages"
))
# Skills offered to groups: (skill, group, whether the group's owner has accepted).
OFFER_COUNT = 3


def _words(title: str) -> set[str]:
    return set(re.findall(r"[a-z][a-z'-]*", ascii_fold(title).lower()))


def _place_words(title: str) -> frozenset[str]:
    """The words of a space's title that name where it is: "victoria" in "Victoria Park"."""
    return frozenset(_words(title) - GENERIC_WORDS)


def _setting(tags: set[str]) -> str:
    if tags & GROUP_ELSEWHERE:
        return "elsewhere"
    return "outdoors" if tags & GROUP_OUTDOORS else "indoors"


def _space_setting(tags: set[str]) -> str:
    if tags & SPACE_OUTDOORS:
        return "outdoors"
    return "indoors" if tags & SPACE_INDOORS else "neither"


def _layer(features: list[dict], kind: str):
    import geopandas as gpd

    chosen = [f for f in features if f["properties"]["kind"] == kind]
    layer = gpd.GeoDataFrame.from_features(chosen, crs="EPSG:4326").to_crs(_LOCAL)
    layer["tagset"] = [set(tags) for tags in layer["tags"]]
    layer["themeset"] = [set(themes) for themes in layer["themes"]]
    return layer


def meeting_places(features: list[dict]) -> list[tuple[str, str]]:
    """Return (group, space) for each group that meets indoors or outdoors: the space its
    name mentions, or else the best suited space of its setting within MEET_WITHIN_M."""
    groups, spaces = _layer(features, "group"), _layer(features, "space")
    spaces["setting"] = [_space_setting(tags) for tags in spaces["tagset"]]
    spaces["place"] = [_place_words(title) for title in spaces["title"]]
    spaces["facility_tags"] = [
        {"kitchen"} if "kitchen" in (facilities or []) else set()
        for facilities in spaces["facilities"]
    ]
    near = groups.sjoin(spaces, how="inner", predicate="dwithin", distance=NAMED_WITHIN_M,
                        lsuffix="group", rsuffix="space")
    ties = []
    for title, pairs in near.groupby("title_group", sort=True):
        group = groups[groups["title"] == title].iloc[0]
        setting = _setting(group["tagset"])
        if setting == "elsewhere":
            continue
        wanted = set().union(*(SUITS_TAGS.get(tag, set()) for tag in group["tagset"]))
        best, best_score = None, 0.0
        for _, pair in pairs.iterrows():
            space = spaces.loc[pair["index_space"]]
            metres = group.geometry.distance(space.geometry)
            named = len(space["place"]) if space["place"] <= _words(title) else 0
            suits = bool(wanted & (space["tagset"] | space["facility_tags"]))
            shared = len(group["themeset"] & space["themeset"])
            # A space that suits what the group does may be of another setting (Beavers
            # meet at the scout hut); any other must be of the group's own, and near.
            if not (suits or space["setting"] == setting):
                continue
            if not (named or metres <= MEET_WITHIN_M) or not (suits or shared):
                continue
            score = 30 * suits + 20 * named + 3 * shared - metres / 100
            if best is None or score > best_score:
                best, best_score = space["title"], score
        if best is not None:
            ties.append((title, best))
    return ties


def partners(features: list[dict], hand_written: set[str]) -> list[tuple[str, str]]:
    """Return (group, group) pairs of the hand-written groups that share what they do, each
    group with its nearest such partner, each pair once."""
    groups = _layer(features, "group")
    groups = groups[groups["title"].isin(hand_written)].reset_index(drop=True)
    pairs = set()
    for i, group in groups.iterrows():
        shared = [
            (group.geometry.distance(other.geometry), other["title"])
            for j, other in groups.iterrows()
            if i != j and group["tagset"] & other["tagset"] & PARTNER_TAGS
        ]
        if shared:
            partner = min(shared)[1]
            pairs.add(tuple(sorted((group["title"], partner))))
    return sorted(pairs)


def offers(features: list[dict], users: list[dict]) -> list[tuple[str, str, bool]]:
    """Return a few (skill, group, accepted) offers: skills whose tags a group shares, from
    people who are demo users. Chosen by tags and titles alone, never by where anyone lives."""
    emails = {user["email"] for user in users}
    skills = [f["properties"] for f in features if f["properties"]["kind"] == "skill"]
    groups = [f["properties"] for f in features if f["properties"]["kind"] == "group"]
    matches = sorted(
        (-len(set(skill["tags"]) & set(group["tags"])), skill["title"], group["title"])
        for skill in skills
        if skill["owner"] in emails
        for group in groups
        if set(skill["tags"]) & set(group["tags"])
    )
    chosen: list[tuple[str, str, bool]] = []
    used: set[str] = set()
    for _, skill, group in matches:
        if skill in used or group in used:
            continue
        used |= {skill, group}
        chosen.append((skill, group, len(chosen) < OFFER_COUNT - 1))
        if len(chosen) == OFFER_COUNT:
            break
    return chosen


def build_ties(features: list[dict], users: list[dict]) -> list[dict]:
    """Return the rows of ties.csv: kind, from_title, to_title, state."""
    hand_written = {group[0] for group in GROUPS}
    rows = [
        {"kind": "meets-at", "from_title": g, "to_title": s, "state": "accepted"}
        for g, s in meeting_places(features)
    ]
    rows += [
        {"kind": "runs-with", "from_title": a, "to_title": b, "state": "accepted"}
        for a, b in partners(features, hand_written)
    ]
    rows += [
        {"kind": "offers", "from_title": skill, "to_title": group,
         "state": "accepted" if accepted else "proposed"}
        for skill, group, accepted in offers(features, users)
    ]
    return rows


def write_geojson(path: Path, features: list[dict]) -> None:
    body = {"type": "FeatureCollection", "features": features}
    text = json.dumps(body, ensure_ascii=False, indent=1)
    path.write_text(text + "\n", encoding="utf-8")


def write_csv(path: Path, fields: list[str], rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    rng = random.Random(SEED)
    town = Town()
    phones = Phones(rng)
    residents, users = build_people(town, rng)
    staff_emails = [u["email"] for u in users if u["role"] == "coach"]
    organisers = Organisers(residents, staff_emails, rng)
    skills = build_skills(residents, rng, phones, target=153)
    groups = build_groups(town, organisers, rng, phones, target=102)
    spaces = build_spaces(town, organisers, rng, phones, target=85)
    gazetteer = build_gazetteer(town, rng)
    ties = build_ties(skills + groups + spaces, users)

    write_geojson(OUT / "neighbourhoods.geojson", town.features())
    write_geojson(OUT / "assets.geojson", skills + groups + spaces)
    write_csv(OUT / "users.csv", ["email", "display_name", "role"], users)
    write_csv(OUT / "gazetteer.csv", ["name", "kind", "lon", "lat"], gazetteer)
    write_csv(OUT / "ties.csv", ["kind", "from_title", "to_title", "state"], ties)
    print(f"{len(skills)} skills, {len(groups)} groups, {len(spaces)} spaces, "
          f"{len(users)} users, {len(gazetteer)} gazetteer rows, {len(ties)} ties")


if __name__ == "__main__":
    main()
