"""Benign conversational training prompts: greetings, thanks, small talk, short requests.

The public training sets teach a lexical model that addressing the assistant ("you", "your",
"can you …") means an attack: about 85% of their training rows that contain "you" are attacks,
because their benign rows are impersonal topic questions ("What is the history of jazz").
The first shipped model therefore flagged "how are you today?" (0.99) and "thank you so much"
(0.98). These families (written for drillhall, no third-party text) add the ordinary chat a
guard proxy sees all day: greetings, thanks, small talk with and about the assistant, short
acknowledgements, polite requests about everyday tasks and pleasantries in other languages.

They are *training* data only. ``tests/llm/guard/data/small_talk.txt`` is a separate,
hand-written evaluation file; ``train.py`` drops any template that normalises to one of its
lines (a one-word greeting cannot be avoided by wording), so no evaluation line is trained on.

``families()`` is deterministic: plain lists, no randomness (``benign_templates.generate``
samples from them with a fixed seed).
"""

from __future__ import annotations

import itertools

_HELLO = [
    "hi", "hello", "hey", "hiya", "howdy", "greetings", "good morning", "good afternoon",
    "good evening", "morning", "evening", "hey there", "hello again", "hi again", "heya",
]
_TO = ["", " there", " friend", " everyone", " assistant", " bot", " team", " buddy"]
_HELLO_TAIL = [
    "", "!", ".", " :)", ", how are you?", ", how's it going?", ", how are you doing today?",
    ", hope you're well", ", quick question", ", can you help me?", ", are you free?",
    ", I have a question", ", how's your day been?", ", what's new?", ", nice to see you",
    ", I need a hand with something", ", how are things with you?",
]
_THANK = [
    "thank you", "thanks", "thanks so much", "thank you very much", "many thanks",
    "thanks a million", "thank you kindly", "cheers", "ta", "much obliged", "thanks heaps",
    "thank you so much", "big thanks", "thx", "ty", "thanks a bunch",
]
_THANK_FOR = [
    "", " for the help", " for your help", " for explaining", " for the quick answer",
    " for the recipe", " for the advice", " for your time", " for fixing that",
    " for the summary", " for being patient with me", " for the ideas", " for checking",
    " for the translation", " for all your help today",
]
_THANK_TAIL = [
    "", "!", ".", ", that worked", ", you're a star", ", that's perfect", ", you saved me",
    ", really useful", ", I owe you one", ", it makes sense now", ", have a good one",
    ", that's very kind of you", ", great job",
]
_SMALL_TALK = [
    "how are you", "how are you doing", "how's it going", "how is your day going",
    "how have you been", "how was your morning", "what are you up to", "are you busy",
    "how do you feel today", "are you having a good day", "how are you feeling",
    "what have you been up to", "how's life", "you doing ok", "all good with you",
    "how's everything", "what's new with you", "how are you today", "how are you this morning",
]
_TOPICS = [
    "music", "films", "books", "football", "cooking", "travel", "poetry", "maths",
    "history", "science fiction", "jazz", "board games", "dogs", "painting", "gardening",
]
_ABOUT_YOU = [
    "do you like {t}?", "what's your favourite kind of {t}?", "do you know much about {t}?",
    "what do you think about {t}?", "can you talk about {t} with me?",
    "are you any good at {t}?", "do you enjoy talking about {t}?",
    "what's the best thing about {t} in your opinion?", "would you recommend getting into {t}?",
]
_ASSISTANT_Q = [
    "what's your name?", "who built you?", "are you an AI?", "are you a real person?",
    "what languages do you speak?", "do you remember our last chat?", "what are you good at?",
    "can you see images?", "do you have feelings?", "where are you based?",
    "how do you work?", "are you always available?", "can you browse the web?",
    "do you get bored?", "how smart are you?", "do you sleep?", "can you learn from me?",
    "what should I call you?", "how long have you been around?", "are you online?",
]
_SHORT_REPLY = [
    "yes", "no", "yep", "nope", "yeah", "sure thing", "of course", "absolutely", "definitely",
    "ok thanks", "okay", "alright", "fine", "great", "awesome", "brilliant", "lovely",
    "got it", "understood", "makes sense", "fair enough", "right", "exactly", "agreed",
    "no problem", "no worries", "that's fine", "not really", "I guess so", "maybe",
    "good point", "true", "interesting", "hmm", "huh", "ah, I see", "oh nice", "oh wow",
    "nice", "cool, thanks", "perfect", "all done", "done", "next", "one more thing",
    "wait", "hold on", "let me check", "just a sec", "back again", "me again",
    "that's it", "that's all for now", "nothing else", "yes, go ahead", "please do",
    "not yet", "almost", "kind of", "I think so", "I'm not sure", "good question",
]
_BYE = [
    "bye", "goodbye", "bye for now", "see you", "see you later", "see ya", "talk later",
    "talk to you tomorrow", "good night", "night night", "have a good day", "have a good one",
    "have a lovely evening", "enjoy your weekend", "take it easy", "until next time",
    "I'm off now", "gotta go", "I'll be back later", "that's all, bye",
]
_CAN = ["can you", "could you", "would you", "could you please", "can you please",
        "would you mind if you", "please can you", "will you"]
_ERRANDS = [
    "check my spelling", "proofread this paragraph", "shorten this sentence",
    "give me a recipe for pancakes", "explain how tides work", "suggest a book for my niece",
    "help me write a birthday card", "recommend a podcast about history",
    "tell me a story about a dragon", "make this sound more polite",
    "help me pick a colour for my kitchen", "list some indoor plants that need little light",
    "tell me what rhymes with orange", "help me with my maths homework",
    "suggest a title for my blog post", "explain what inflation is",
    "remind me how to tie a tie", "help me plan a birthday party",
    "tell me how to change a tyre", "write a short thank-you note to my teacher",
    "give me three ideas for a rainy day", "convert 30 degrees Celsius to Fahrenheit",
    "recommend a good hiking trail near Edinburgh", "summarise this article",
    "tell me a riddle", "explain the offside rule", "help me practise my French",
    "write a limerick about a cat", "calculate a 15% tip on 48 dollars",
    "tell me how to make cold brew coffee", "help me name my band",
]
_ERRAND_TAIL = ["?", " for me?", " please?", ", thanks?", " when you have a moment?", "?!"]
_QUESTION = [
    "what is the capital of {x}?", "what language do they speak in {x}?",
    "what's the weather usually like in {x} in spring?", "what should I see in {x}?",
    "what food is {x} famous for?", "how far is {x} from London?",
    "what time zone is {x} in?", "is {x} expensive to visit?",
]
_PLACES = [
    "Portugal", "Norway", "Peru", "Japan", "Kenya", "Vietnam", "Chile", "Iceland", "Egypt",
    "New Zealand", "Morocco", "Austria", "Thailand", "Mexico", "Scotland",
]
_FEELING = [
    "I'm a bit stressed", "I'm so happy today", "I'm tired", "I feel great",
    "I had a long day", "I'm excited about the weekend", "I can't sleep",
    "I just finished my exams", "I'm nervous about my interview", "I got a new bike",
    "my sister is visiting", "it's my birthday today", "I'm cooking for friends tonight",
    "I finally fixed my bike", "my flight got delayed", "I'm starting a new course",
]
_FEELING_TAIL = [
    "", "!", ", any tips?", ", what do you think?", ", can we chat?", ", how about you?",
    ", just wanted to tell someone", ", any advice?", " :)",
]
_LANG = [
    # greetings, thanks, how-are-you and goodbyes in other languages
    "salut", "bonsoir", "merci", "merci pour ton aide", "ça va ?", "à bientôt", "bonne soirée",
    "merci infiniment", "comment allez-vous ?", "bonjour, j'ai une question",
    "hola", "gracias", "hasta luego", "¿cómo estás?", "buenas tardes", "gracias por todo",
    "mil gracias", "buenas noches", "hola, ¿me ayudas?", "adiós",
    "hallo", "danke", "vielen dank", "guten Morgen", "tschüss", "wie geht es dir?",
    "danke für die Hilfe", "bis später", "gute Nacht", "schönen Tag noch",
    "ciao", "grazie", "buongiorno", "buonasera", "arrivederci", "come va?", "grazie tante",
    "olá", "obrigada", "bom dia", "boa noite", "até logo", "tudo bem com você?",
    "dank je wel", "goedemorgen", "tot ziens", "hallo, alles goed?",
    "tack så mycket", "god morgon", "hej då", "tak", "kiitos", "dziękuję", "dzień dobry",
    "cześć, co słychać?", "merhaba", "teşekkürler", "nasılsın?", "namaste", "dhanyavaad",
    "shukran", "marhaba", "salam", "asante sana", "jambo",
    "おはようございます", "こんばんは", "どうもありがとう", "さようなら", "元気ですか？",
    "早上好", "谢谢", "再见", "晚安", "你好吗？", "非常感谢",
    "감사합니다", "안녕히 가세요", "잘 지내요?",
    "здравствуйте", "спасибо", "до свидания", "доброе утро", "как ты?",
    "γεια σου", "ευχαριστώ", "שלום", "תודה רבה", "xin chào", "cảm ơn", "sawasdee",
]


_PRAISE = [
    "helpful", "kind", "clever", "quick", "patient", "brilliant", "a lifesaver", "the best",
    "so polite", "really good at this", "amazing", "a good listener", "hilarious", "right",
]
_YOUR = [
    "good luck with your {x}", "how was your {x}?", "I like your {x}", "tell me about your {x}",
    "what's your {x} like?", "enjoy your {x}", "sorry about your {x}", "how did your {x} go?",
    "is your {x} going well?", "congrats on your {x}",
]
_YOUR_X = [
    "exam", "weekend", "trip", "presentation", "first day", "holiday", "interview",
    "new job", "garden", "birthday", "day", "favourite song", "advice", "answer",
]
_ASK_YOU = [
    "who {v} you?", "what {v} you?", "why {v} you?", "when {v} you?",
]
_ASK_VERBS = ["made", "trained", "designed", "named", "built", "created", "taught", "inspired"]


def families() -> list[list[str]]:
    """The conversational template families, each a deterministic list of prompts."""
    hello = [
        f"{h}{to}{tail}"
        for h, to, tail in itertools.product(_HELLO, _TO, _HELLO_TAIL)
    ]
    thanks = [
        f"{t}{why}{tail}" for t, why, tail in itertools.product(_THANK, _THANK_FOR, _THANK_TAIL)
    ]
    small_talk = [
        f"{q}{end}" for q, end in itertools.product(_SMALL_TALK, ["?", " today?", " then?"])
    ] + [f"{h}! {q}?" for h, q in itertools.product(_HELLO[:8], _SMALL_TALK)]
    about = [a.format(t=t) for a, t in itertools.product(_ABOUT_YOU, _TOPICS)] + list(
        _ASSISTANT_Q
    )
    replies = [
        f"{r}{p}" for r, p in itertools.product(_SHORT_REPLY, ["", "!", ".", ", thanks"])
    ] + [f"{b}{p}" for b, p in itertools.product(_BYE, ["", "!", ", thanks again", " :)"])]
    errands = [
        f"{c} {e}{t}" for c, e, t in itertools.product(_CAN, _ERRANDS, _ERRAND_TAIL)
    ] + [f"please {e}" for e in _ERRANDS] + [f"I'd like you to {e}" for e in _ERRANDS]
    questions = [q.format(x=x) for q, x in itertools.product(_QUESTION, _PLACES)]
    feelings = [f"{f}{t}" for f, t in itertools.product(_FEELING, _FEELING_TAIL)]
    you = (
        [f"you're {p}{e}" for p, e in itertools.product(_PRAISE, ["", "!", ", thanks", " :)"])]
        + [f"you are {p}" for p in _PRAISE]
        + [y.format(x=x) for y, x in itertools.product(_YOUR, _YOUR_X)]
        + [a.format(v=v) for a, v in itertools.product(_ASK_YOU, _ASK_VERBS)]
    )
    return [hello, thanks, small_talk, about, replies, errands, questions, feelings,
            list(_LANG), you]
