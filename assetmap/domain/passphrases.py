"""Passwords made for people to type: a few words drawn at random from a short list."""

from __future__ import annotations

import secrets

# Over 256 short, common, unmistakable words: each one drawn adds 8 bits of guessing.
_LIST = """
acorn amber anchor apple apron arch arrow aspen atlas attic autumn badge bagel bakery ballad
bamboo banjo barley basket beacon beaver berry bicycle birch biscuit blanket blossom bonnet
border bottle bracket branch breeze brick bridge brook bucket budget bugle bundle butter
button cabin cactus camera candle canoe canvas canyon carpet carrot castle cedar cellar
cereal chapel cherry chimney cider circus citrus clover cobalt coffee comet compass copper
cotton cousin coyote cradle crater crayon cricket crystal cushion dahlia daisy dancer delta
desert diesel dinner dolphin domino donkey dragon drawer dune eagle easel echo elbow ember
engine falcon fennel ferry fiddle figure finch fjord flannel flute forest fossil fountain
fox garden garlic gazebo geyser ginger glacier globe goose granite gravel guitar hammock
harbour harvest hazel hedge helmet heron hickory honey hopper island ivory jacket jasmine
jigsaw jungle kayak kettle kitten ladder lagoon lantern laurel lemon lentil lilac linen
lobster locket lotus lumber magnet mango maple marble meadow melon mercury meteor mitten
monsoon mosaic muffin mural nectar needle nutmeg oasis oatmeal ocean olive onion orbit
orchard otter oyster paddle pancake panda parcel parrot pasta pebble pelican pepper piano
pickle pillow pilot pine planet plum pocket pollen pony poppy potato puffin pumpkin puzzle
quartz quilt rabbit radish raft rainbow raisin raven ribbon river robin rocket saddle
saffron sailor salmon sandal satchel scarf shell shovel silver sketch sledge slipper socket
sparrow spinach sponge spruce squirrel stable statue summit sunset swallow tablet teapot
thimble thistle thunder timber toffee tomato torch tortoise trolley trumpet tulip tunnel
turnip umbrella valley velvet violin voyage wagon walnut whistle willow window winter wizard
"""
WORDS = tuple(_LIST.split())
WORD_COUNT = 4


def passphrase(count: int = WORD_COUNT) -> str:
    """Return ``count`` words drawn at random by ``secrets``, joined by hyphens."""
    return "-".join(secrets.choice(WORDS) for _ in range(count))
