"""Seeded note text for the growth and search figures: titles and descriptions drawn from a
task vocabulary with a Zipf-like frequency (a few words in most notes, most words in few),
some of them accented, so that a search matches a realistic share of a user's notes.

The searched words sit at chosen ranks: in a user's notes, a one-word query such as
"plumber" matches a few per cent, a two-word query ("kitchen plumber") a few per mille, and
"résumé" finds notes written "résumé" as well as "resume" (accents and case folded, as the
app's search does). The share each query matches is measured and reported with its timings.

Texts are drawn once into pools (deterministic for a seed), then each note takes a title
and a description from them: cheap enough for a million notes, and word frequencies stay
those of the vocabulary.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass

from notestack.core.text import fold
from notestack.notes.ordering import title_key


def _words(text: str) -> list[str]:
    return text.split()


# Most frequent first. Function words lead, as in any English text.
FUNCTION_WORDS = _words(
    "the to and for a of on with in before after from about at by this next our new all"
)
# Content words, roughly most frequent first; the searched words are placed at chosen ranks
# (PLACED) so each query matches the share of notes it is meant to.
CONTENT_WORDS = _words("""
call email update review meeting check follow send plan team draft report week project
order book fix schedule client list today notes budget share ask buy prepare monday friday
pay confirm doctor home office car weekly tomorrow school phone garden
quarterly supplier delivery sheet agenda slides travel flight hotel tickets groceries
bank tax insurance rent landlord repair paint window door roof boiler heating water
birthday present party dinner lunch breakfast recipe
april may june july august september october november december january february
electrician contractor quote estimate permit garage basement bathroom tiles
sink faucet leak pipe drain shower laundry washer dryer fridge oven stove dishwasher
interview application cover letter portfolio reference salary offer contract
onboarding training workshop conference talk abstract paper deadline submission editor
feedback comments approval signature scan print copy archive folder backup
password laptop monitor keyboard printer router wifi cable charger battery screen
crème brûlée naïve façade fiancée entrée soirée déjà vu piñata jalapeño
münchen malmö córdoba málaga são paulo québec montréal kraków
vet dog cat walk food vaccine grooming kennel leash toys
gym run yoga swim bike stretch physio knee shoulder back
pharmacy prescription refill pills allergy cough fever checkup bloodwork results
mortgage loan savings pension refund receipt expenses reimbursement payroll audit
newsletter blog post website domain hosting deploy release bug ticket sprint standup
retro roadmap backlog demo customer churn pricing launch campaign analytics
passport visa embassy renewal license registration inspection parking fine toll
wedding anniversary gift flowers card cake candles balloons invitations venue
tent camping hiking boots backpack map trail lake cabin firewood
piano guitar lesson recital concert rehearsal choir orchestra tuning metronome
""")
# Rank (0 = most frequent, counting the function words) of each searched word. With the
# long tail below, a word at rank 200 is in about 2-3 % of notes, two words at ranks 80-200
# in about 0.2 % together (the share each query matches is measured in every run).
PLACED = {
    "kitchen": 80, "appointment": 90, "march": 100, "invoice": 150, "résumé": 180,
    "plumber": 200, "café": 200, "dentist": 230, "resume": 250, "zürich": 250,
}  # fmt: skip
TITLE_WORDS_FROM = len(FUNCTION_WORDS)  # titles skip the function words
# Share of a text's words drawn from the long tail (names, numbers, codes: a real notebook's
# vocabulary is mostly words that are each rare), the rest from the ranked vocabulary.
TAIL_SHARE = 0.3
TAIL_WORDS = 20_000

# Queries by kind, as a person types them (the app folds case and accents itself).
QUERIES: dict[str, tuple[str, ...]] = {
    "one_word": ("plumber", "invoice", "dentist"),
    "two_word": ("kitchen plumber", "invoice march", "dentist appointment"),
    "accented": ("résumé", "café", "Zürich"),
}


def _vocabulary() -> tuple[list[str], list[float]]:
    words: list[str] = []
    for word in itertools.chain(FUNCTION_WORDS, CONTENT_WORDS):
        if word not in words and word not in PLACED:
            words.append(word)
    for word, rank in sorted(PLACED.items(), key=lambda item: item[1]):
        words.insert(rank, word)
    # Zipf (s = 1) with a flattened head: the rank-r word has weight 1 / (r + 8).
    cumulative = list(itertools.accumulate(1.0 / (rank + 8) for rank in range(len(words))))
    return words, cumulative


def _tail(rng: random.Random, size: int) -> list[str]:
    """Made-up names and numbers: rare words, none beginning like a searched word."""
    consonants, vowels = "bdfgklmnprstvz", "aeiou"
    searched = tuple(fold(word) for word in PLACED)
    tail: set[str] = {str(n) for n in range(1, 2000)}
    while len(tail) < size:
        word = "".join(
            rng.choice(consonants) + rng.choice(vowels) for _ in range(rng.randint(2, 4))
        )
        if not word.startswith(searched):
            tail.add(word)
    return sorted(tail)


@dataclass(frozen=True, slots=True)
class Text:
    title: str
    title_key: str
    description: str
    size_bytes: int


class Corpus:
    """``pool`` titles and ``pool`` descriptions, drawn with ``rng``."""

    def __init__(self, rng: random.Random, pool: int = 8192) -> None:
        words, cumulative = _vocabulary()
        tail = _tail(rng, min(TAIL_WORDS, 4 * pool))
        self.rng = rng

        def pick(ranked: list[str], weights: list[float], count: int) -> list[str]:
            chosen = rng.choices(ranked, cum_weights=weights, k=count)
            return [rng.choice(tail) if rng.random() < TAIL_SHARE else w for w in chosen]

        content = words[TITLE_WORDS_FROM:]
        base = cumulative[TITLE_WORDS_FROM - 1]
        content_cum = [c - base for c in cumulative[TITLE_WORDS_FROM:]]
        self.titles: list[tuple[str, str, int]] = []
        for _ in range(pool):
            title = " ".join(pick(content, content_cum, rng.randint(2, 6))).capitalize()
            self.titles.append((title, title_key(title), len(title.encode("utf-8"))))
        self.descriptions: list[tuple[str, int]] = []
        for _ in range(pool):
            sentences = [
                " ".join(pick(words, cumulative, rng.randint(5, 14))).capitalize() + "."
                for _ in range(rng.randint(1, 4))
            ]
            description = " ".join(sentences)
            self.descriptions.append((description, len(description.encode("utf-8"))))

    def draw(self) -> Text:
        title, key, title_bytes = self.titles[self.rng.randrange(len(self.titles))]
        description, description_bytes = self.descriptions[
            self.rng.randrange(len(self.descriptions))
        ]
        return Text(title, key, description, title_bytes + description_bytes)
