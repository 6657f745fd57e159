"""The key-phrase layer sets everyday idioms aside ("killing it") before it looks for danger."""

from __future__ import annotations

import random

import pytest

from assistant.safety.fold import fold
from assistant.safety.phrases import PhraseLayer, load_lists

LISTS = load_lists()
IDIOMS = sorted({p for tables in LISTS.values() for p in tables.get("ignore", [])})


@pytest.fixture(scope="module")
def layer() -> PhraseLayer:
    return PhraseLayer(LISTS)


def test_no_everyday_idiom_raises_the_alarm_wherever_it_sits(layer: PhraseLayer) -> None:
    shapes = ("{}", "ok {}", "{} thanks", "sorry, {} - see you tomorrow")
    alarming = [(shape, idiom) for idiom in IDIOMS for shape in shapes
                if layer.hits(fold(shape.format(idiom)))]
    assert IDIOMS and alarming == []


def test_two_idioms_in_one_message_are_both_set_aside(layer: PhraseLayer) -> None:
    pick = random.Random(11)
    alarming = []
    for idiom in IDIOMS:
        other = pick.choice(IDIOMS)
        for text in (f"{idiom} and {other}", f"ok {other}, {idiom} x"):
            if layer.hits(fold(text)):
                alarming.append(text)
    assert alarming == []


@pytest.mark.parametrize("text", [
    "in fortnite m-a impuscat unu in ultimul cerc",
    "în filmul de aseară se aude o împușcătură, e ok pt 9 ani?",
    "frate-miu m-a batut la FIFA 5-0",
    "هالواجب رح يقتلني 😂 قعدنا ساعتين",
    "abhi usko nana ke marne ki baat nahi batayi",
    "my sister hit me with a pillow and stole the remote",
])
def test_games_films_and_family_news_are_not_read_as_threats(layer: PhraseLayer,
                                                              text: str) -> None:
    assert layer.hits(fold(text)) == []


@pytest.mark.parametrize(("text", "kind"), [
    ("îi împușc pe toți mâine la școală", "threat"),
    ("a zis ca o sa-i impuste pe toti din clasa", "threat"),
    ("Nu mă bate nimeni, doar tata când bea", "physical"),
    ("قال إذا ما خلصت الواجب رح يقتلني", "threat"),
    ("Настя вчора наїлась парацетамолу", "overdose"),
    ("beta marne ki baatein karta hai", "suicide"),
])
def test_an_everyday_word_nearby_does_not_hide_a_real_report(layer: PhraseLayer, text: str,
                                                             kind: str) -> None:
    assert kind in {hit.kind for hit in layer.hits(fold(text))}


@pytest.mark.parametrize(("text", "kind"), [
    ("my brother touched me there, bhai ne wahan chuwa", "sexual"),
    ("main khatam ho jana chahta hun", "suicide"),
    ("ojczym pije i bije mame", "domestic"),
    ("хлопці з 5 класу возять наркотики після школи", "exploitation"),
    ("my son drank vodka at his cousin's and can't stand up", "overdose"),
    ("напоили водкой моего сына", "overdose"),
    ("ojciec pił i bił mamę", "domestic"),
    ("she's been searching how to cut deeper", "self-harm"),
    ("badi moot, ma 7ada bi7ebni", "suicide"),
    ("میری بیٹی گم ہو گئی ہے بازار میں", "missing"),
    ("donka propala pislya shkoly, telefon vymknenyi", "missing"),
    ("میرا بیٹا گم ہو گیا ہے، سمجھ نہیں آ رہا کیا کروں", "missing"),
    ("propala donka, ne vidpovidaie na dzvinky", "missing"),
    ("nie wiem po co ja żyję, nikt by nie zauważył", "suicide"),
    ("jutro ide na tory i juz", "suicide"),
    ("koleżanka mówi że można się ciąć żeby przestało boleć w środku", "self-harm"),
    ("pod szkołą stoi chłopak z maczetą i czeka na mojego syna", "threat"),
    ("син каже, що хоче, щоб його не було", "suicide"),
    ("abbu raat ko botal se peete hain aur hum akele hote hain", "neglect"),
    ("صاحبتها بلعت شريط بنادول بالحمام بعد المدرسة", "overdose"),
    ("lagta hai kisi ne uske saath ganda kaam kiya hai, woh chup chup rehti hai", "sexual"),
    ("ابني ما جا البيت من المدرسة وتلفونه مسكر", "missing"),
    ("chacha ne saza ke liye uska sar balti mein dubo diya", "physical"),
    ("донька випила засіб для унітазу, що робити", "overdose"),
    ("ми вже місяць їмо раз на день, грошей нема зовсім", "neglect"),
    ("нам відключили газ за борги, діти сплять в куртках", "neglect"),
])
def test_short_or_plain_spoken_reports_raise_the_alarm(layer: PhraseLayer, text: str,
                                                        kind: str) -> None:
    assert kind in {hit.kind for hit in layer.hits(fold(text))}


@pytest.mark.parametrize("text", [
    "Bottle tombola donations: wine, gin, vodka welcome",
    "penne alla vodka for the class cookbook?",
    "we had the dog groomed this morning so she'll be late",
    "kya bachon ko sikhaya ke koi wahan choo nahi sakta?",
    "the comments cut deeper than she lets on",
    "بیٹا گم سم رہتا ہے نئی کلاس میں، کس سے بات کروں؟",
    "beta gum ho jata hai games mein, screen time kitna theek hai?",
    "bidi moot min el da7ek 3al video taba3 el sa2a",
    "badi moot mn el ju3, lunch box nsito",
    "syn propav u telefoni cilyi vechir, yak obmezhyty?",
    "У шкільному туалеті немає засобу для унітазу і мила",
    "When does Year 3 do the PANTS lesson on private parts? I'd like to read the slides first",
    "Як ви пояснюєте дітям 'private parts' на уроці RSE?",
    "kis class mein private parts ke sahi naam batate hain?",
    "ce invata copiii la ora despre partile intime ale corpului?",
    "o discutie pentru parinti despre santajul online ar fi utila",
    "чи буде в школі розмова про шантаж у соцмережах?",
])
def test_a_raffle_a_dog_or_a_body_safety_lesson_is_not_a_report(layer: PhraseLayer,
                                                                 text: str) -> None:
    assert layer.hits(fold(text)) == []


@pytest.mark.parametrize("text", [
    "what does grooming mean? it was in the online safety leaflet",
    "co oznacza słowo „grooming” w ulotce?",
    "cum vorbesc cu el despre pericolele de pe internet? vreau sa fim pe aceeasi linie",
    "copiii din joc vreau sa fie de varsta lui, ce setari recomandati?",
    "can the school put a photo without permission on the website?",
    "what colour pants and vest do they need for PE?",
    "what colour knickers should she wear under the summer dress?",
])
def test_a_question_about_online_safety_is_not_a_report(layer: PhraseLayer, text: str) -> None:
    assert layer.hits(fold(text)) == []


@pytest.mark.parametrize("text", [
    "I think a man on roblox has groomed my son",
    "what is grooming? I think a man is grooming my son on roblox",
    "what are the signs an adult is grooming a child? I've seen messages on her iPad",
    "un nene de pe internet vrea sa ne intalnim",
    "unul din joc vrea poze cu mine",
    "a boy on fortnite keeps asking for a pic without his shirt, says hes 12",
    "some1 on tiktok askd what colour is my underwear",
])
def test_someone_online_who_wants_to_meet_or_wants_pictures_is_still_grooming(
        layer: PhraseLayer, text: str) -> None:
    assert "grooming" in {hit.kind for hit in layer.hits(fold(text))}


@pytest.mark.parametrize("typed, plain", [
    ("Tata mnie BIŁ pasem", "tata mnie bil pasem"),
    ("Ukradł mój telefon, łobuz", "ukradl moj telefon lobuz"),
])
def test_polish_typed_with_or_without_the_barred_l_reads_the_same(typed: str, plain: str) -> None:
    assert fold(typed) == fold(plain) == plain


@pytest.mark.parametrize(("text", "kind"), [
    ("my nephew says his uncle made him watch rude videos on his phone", "sexual"),
    ("niste fete au filmat-o, a fost filmata in vestiar si au pus pe grup", "sextortion"),
])
def test_being_made_to_watch_rude_videos_or_filmed_in_a_changing_room_is_a_report(
        layer: PhraseLayer, text: str, kind: str) -> None:
    assert kind in {hit.kind for hit in layer.hits(fold(text))}


@pytest.mark.parametrize("text", [
    "не хочу жити в одній кімнаті з братом, він хропе",
    "كنت رح موت من الخجل لما وقعت بالمسرحية",
])
def test_not_wanting_to_share_a_room_or_dying_of_embarrassment_is_not_a_report(
        layer: PhraseLayer, text: str) -> None:
    assert layer.hits(fold(text)) == []


@pytest.mark.parametrize(("text", "kind"), [
    ("صار معي شي ما بقدر احكيه لحدا، بدي موت من الخجل", "suicide"),
    ("я не хочу жити в одній кімнаті з дядьком", "suicide"),
    ("my dad punched me last night", "physical"),
    ("mama mea mă bate când nu fac teme", "physical"),
    ("tati a zis că o omoară pe mami", "threat"),
    ("Bilal abhi tak ghar nahi aaya, phone band hai", "missing"),
])
def test_a_wish_to_die_of_shame_or_a_parent_who_hits_still_raises_the_alarm(
        layer: PhraseLayer, text: str, kind: str) -> None:
    hits = [hit for hit in layer.hits(fold(text)) if hit.kind == kind]
    assert hits and not hits[0].hedged


@pytest.mark.parametrize("text", [
    "Mă bate mama la cap să citesc în fiecare seară",
    "tati mă bate mereu la table și râde",
])
def test_a_mother_who_nags_or_a_father_who_wins_at_backgammon_is_not_a_report(
        layer: PhraseLayer, text: str) -> None:
    assert layer.hits(fold(text)) == []


@pytest.mark.parametrize("text, kind", [
    ("the lodger showed my son his private parts in the garden", "sexual"),
    ("bade cousin ne uske private parts ko haath lagaya", "sexual"),
    ("antrenorul o atinge pe partile intime dupa inot", "sexual"),
    ("cineva il santajeaza cu o poza pe instagram", "sextortion"),
    ("доньку шантажують її фото", "sextortion"),
    ("boję się wracać do domu", "general"),
    ("family wale chahte hain ke garmiyon mein beti ka khatna karwa dein, main nahi chahti",
     "physical"),
    ("حماتي بدها تعمل طهارة لبنتي بالصيف بالبلد", "physical"),
])
def test_private_parts_touched_blackmail_a_child_afraid_to_go_home_or_a_girl_to_be_cut_is_a_report(
        layer: PhraseLayer, text: str, kind: str) -> None:
    assert kind in {hit.kind for hit in layer.hits(fold(text))}


def test_a_boys_circumcision_is_not_a_report(layer: PhraseLayer) -> None:
    assert layer.hits(fold("beta ka khatna hua hai, do din school nahi aayega")) == []
