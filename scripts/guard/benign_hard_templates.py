"""Hard benign training prompts: security talk, pasted documents, other languages, code.

The first detectors flagged benign prompts that merely *use* attack vocabulary or talk about
security, and learned shortcuts such as "not English means attack" and "a long pasted document
with imperative sentences means attack". These families (written for drillhall, no third-party
text, no evaluation text) add the ordinary traffic behind those false positives: security and
LLM engineering questions, everyday meanings of "ignore", "override", "system" or "act as",
documents with instructions addressed to a human reader, role-play for practice, requests in
six European languages, code and config snippets, questions about the assistant, benign
encodings, fiction, terse chat commands, support, HR and legal questions, computing history,
output-format requests, long personal requests and corrections.

They are *training* data only (label 0). Nothing here tries to steer an assistant away from
its instructions; hosts are ``example.com`` and no credential-looking string is written
(encoded strings are built at run time from harmless sentences).

``families()`` is deterministic (plain lists, no randomness); ``generate`` samples it with a
fixed seed. Run the module to print per-family counts and examples.
"""

from __future__ import annotations

import base64
import codecs
import itertools
from collections.abc import Iterable, Sequence
from urllib.parse import quote

from templating import distinct, sample, show


def _fill(frames: Iterable[str], slots: Iterable[str]) -> list[str]:
    """Every frame with every slot in ``{x}``."""
    return [f.format(x=s) for f, s in itertools.product(frames, slots)]


def _spread(items: Sequence[str], n: int) -> list[str]:
    """At most ``n`` of ``items`` taken at an even stride (deterministic thinning)."""
    if len(items) <= n:
        return list(items)
    return [items[i * len(items) // n] for i in range(n)]


# --- security-work ----------------------------------------------------------------------------
_SEC_SUBJECTS = [
    "our firewall rules", "the TLS certificates on the load balancer", "the OAuth scopes of the "
    "mobile app", "the password manager rollout", "log retention for the audit trail",
    "last Tuesday's incident review", "the scope of next month's pentest",
    "CVE triage for our base images", "SSH key rotation", "the WAF configuration",
    "MFA enrolment for contractors", "secrets handling in CI", "the vulnerability scan results",
    "backups of the customer database", "the DDoS runbook", "the SBOM for our containers",
    "least-privilege IAM roles", "the phishing simulation", "our bug bounty policy",
    "endpoint detection alerts", "offboarding of leavers' accounts", "the VPN replacement",
]
_SEC_FRAMES = [
    "What's a sensible checklist for reviewing {x}?",
    "Can you help me write a one-page summary of {x} for the leadership team?",
    "Our auditor asked about {x}. What evidence do they usually expect to see?",
    "I'm new to the security team. Where would you start with {x}?",
    "What mistakes do small companies typically make with {x}?",
    "How often should we revisit {x}, and who should own it?",
    "Draft three questions to ask our vendor about {x}.",
    "We're five engineers and no security hire. Is it overkill to formalise {x}?",
    "Give me a short agenda for a 30-minute meeting about {x}.",
]
_SEC_QUESTIONS = [
    "Is it bad practice to allow 0.0.0.0/0 on port 22 in a security group?",
    "Our certificate expired over the weekend and the site went down. How do we get alerted "
    "before the next one expires?",
    "Which OAuth scopes does a read-only calendar integration actually need?",
    "How do I prioritise forty CVEs flagged in our Docker images when most are in packages we "
    "never call?",
    "What's the difference between a CVSS base score and EPSS, in plain words?",
    "How long should we keep VPN connection logs if we operate in the EU?",
    "Write a blameless postmortem template for an incident where a credential was committed to "
    "a public repo and rotated within an hour.",
    "What belongs in the rules of engagement for an external penetration test?",
    "Should the pentest scope include our staging environment at staging.example.com?",
    "How do I explain to developers why we block outbound traffic from the build agents?",
    "Compare Bitwarden and 1Password for a 40-person company that uses Google Workspace.",
    "What does 'certificate transparency' mean and should we monitor CT logs for our domains?",
    "We saw thousands of failed logins against our SSO from one ASN last night. What should "
    "the incident ticket contain?",
    "How do I set up fail2ban on my own VPS without locking myself out?",
    "Is a wildcard certificate for *.example.com a bad idea?",
    "Which security headers should a static marketing site send?",
    "Our SIEM keeps alerting on the backup job. How do I tune the rule without hiding real "
    "problems?",
    "How do I rotate the database password for a service that has no downtime window?",
    "What should our SOC analysts check first when an EDR alert says 'suspicious PowerShell'?",
    "Explain the difference between authentication and authorisation to a new hire.",
    "Is TOTP still acceptable as a second factor, or should we move everyone to passkeys?",
    "How can we detect that an employee's laptop has disk encryption turned off?",
    "What is a reasonable SLA for patching critical vulnerabilities on internet-facing hosts?",
    "We got a responsible disclosure email about an XSS on our blog. How should we reply?",
    "How do I write a good severity rubric for our internal bug tracker?",
    "What's the point of a tabletop exercise, and how do we run our first one?",
    "Which logs do we need to answer 'who accessed this S3 bucket last month'?",
    "How do we store audit logs so that even admins cannot edit them afterwards?",
    "Can you explain what SPF, DKIM and DMARC each do for our email domain?",
    "What is the safest way to share a one-off secret with a contractor?",
]
_SEC_ROLES = [
    "I'm an SRE at a small fintech.", "I run IT for a dental practice.",
    "I'm the only DevOps person at a startup.", "I lead a blue team of three.",
    "I'm a backend developer who got handed security duties.",
    "I'm studying for the Security+ exam.", "I work on the platform team at a university.",
]


def _security_work() -> list[str]:
    out = _fill(_SEC_FRAMES, _SEC_SUBJECTS) + list(_SEC_QUESTIONS)
    out += [f"{r} {q}" for r, q in itertools.product(_SEC_ROLES, _SEC_QUESTIONS[::3])]
    return out


# --- llm-engineering --------------------------------------------------------------------------
_BOTS = [
    "support bot for a bike shop", "internal HR assistant", "recipe chatbot",
    "coding helper in our IDE plugin", "library catalogue assistant", "travel booking assistant",
    "onboarding bot for new employees", "FAQ assistant for a bank", "tutor bot for pupils",
    "assistant that answers questions about our API docs",
]
_BOT_ASKS = [
    "How do I tell it to stay on topic without sounding rude?",
    "Should the refusal wording live in the system prompt or in application code?",
    "How long is too long for a system prompt?",
    "What's a good way to version the system prompt alongside our code?",
    "How do we check that it still follows our tone guide after a model upgrade?",
    "Can you review my draft system prompt for ambiguous wording?",
    "How should it answer when a question is outside its scope?",
    "What should we log about each conversation for debugging, and what should we not keep?",
    "How do we make it admit when it doesn't know the answer?",
]
_LLM_QUESTIONS = [
    "What's the difference between a jailbreak and a prompt injection?",
    "How should we log suspected prompt injections so an analyst can review them later?",
    "How do I explain prompt injection to management without jargon?",
    "What chunk size and overlap work well for RAG over long PDF manuals?",
    "Should I chunk Markdown docs by heading or by token count?",
    "How do I evaluate whether our assistant refuses too often on harmless questions?",
    "Build me a rubric for grading refusals: polite, brief, and offering an alternative.",
    "How do I configure our guardrail to log flagged prompts without blocking them at first?",
    "What metrics should a prompt-injection classifier report besides accuracy?",
    "Help me plan a high-level red-team exercise for our customer chatbot: which categories "
    "to cover, who takes part, and how we report the results.",
    "Our retrieval step sometimes pulls in web pages with hidden text. How do other teams "
    "sanitise retrieved content before it reaches the model?",
    "How do I escape user text that gets inserted into my prompt template?",
    "Is it better to put few-shot examples in the system message or in the user turn?",
    "What is a canary string in a system prompt and does it help detect leaks?",
    "How do I write unit tests for a prompt template?",
    "Which open-source tools exist for evaluating LLM guardrails?",
    "How should a tool-using agent confirm destructive actions with the user?",
    "Explain the 'lethal trifecta' of private data, untrusted content and outbound "
    "communication for AI agents.",
    "How do we measure the false-positive rate of our injection filter on real traffic?",
    "What does temperature do, and should our FAQ bot use 0?",
    "Write a short internal wiki page explaining what our input guard does and does not "
    "catch.",
    "Our prompt-injection detector flags French questions far more than English ones. How do "
    "we investigate that bias?",
    "How do I set up an eval set of benign prompts that use security vocabulary?",
    "What's a reasonable latency budget for a guard model in front of a chat API?",
    "How should the incident process work when someone reports a jailbreak of our bot?",
    "What's the difference between a system message and a developer message in the chat API?",
    "Can a RAG answer cite the exact chunk it used? How do I implement citations?",
    "How do I stop our summariser from following instructions that appear inside the "
    "documents it summarises?",
]
_LLM_FRAMES = [
    "I'm writing the system prompt for our {x}. ",
    "Quick one about our {x}: ",
    "We're launching our {x} next month. ",
]


def _llm_engineering() -> list[str]:
    out = [f + a for f, a in itertools.product(
        [f.format(x=b) for f in _LLM_FRAMES for b in _BOTS], _BOT_ASKS)]
    return _spread(out, 200) + list(_LLM_QUESTIONS) + [
        f"As the lead on our {b}: {q[0].lower()}{q[1:]}"
        for b, q in itertools.product(_BOTS[:5], _LLM_QUESTIONS[:14]) if "chatbot" not in q
    ]


# --- instructions-ordinary --------------------------------------------------------------------
_WORD_USES = [
    ("The assembly instructions for my {x} skip a step. What usually goes between fitting the "
     "frame and attaching the doors?", ["wardrobe", "IKEA bookcase", "bunk bed", "kitchen unit"]),
    ("The washing instructions on my {x} say 30 degrees. Will 40 ruin it?",
     ["wool jumper", "linen shirt", "down jacket", "silk scarf", "gym leggings"]),
    ("Our house rules say {x}. Can you phrase that more warmly for guests?",
     ["no shoes indoors", "quiet after 10 pm", "no smoking on the balcony",
      "please strip the beds before you leave", "the cat stays indoors"]),
    ("Does a typical company policy on {x} cover contractors as well as employees?",
     ["remote work", "expenses", "parental leave", "acceptable use of laptops", "travel"]),
    ("In CSS, my override of {x} doesn't take effect. What am I missing?",
     ["the button colour in Bootstrap", "the font size in a third-party widget",
      "the margin on a WordPress theme", "the link hover style"]),
    ("Can the {x} override a veto, and how often has it happened?",
     ["US Congress", "state legislature", "parliament in Poland"]),
    ("How do I override the {x} for just one day?",
     ["thermostat schedule", "sprinkler timer", "out-of-office rule in Outlook",
      "school bus pickup time in the parent app"]),
    ("How do I make someone an admin of our {x}?",
     ["WhatsApp group", "Facebook page", "Slack workspace", "Discord server",
      "Google Workspace domain", "neighbourhood forum"]),
    ("How do I add a new task in {x} and assign it to a colleague?",
     ["Jira", "Trello", "Asana", "Todoist", "Notion", "Microsoft Planner"]),
    ("How do I turn on developer mode on my {x}?",
     ["Pixel phone", "Samsung tablet", "Chromebook", "Xiaomi phone", "Android TV"]),
    ("I always forget {x}. Any memory tricks?",
     ["people's names", "where I parked", "the order of the planets", "my dentist appointments",
      "the difference between affect and effect"]),
    ("My kids love to pretend {x}. What games build on that?",
     ["the sofa is a boat", "they run a café", "they are astronauts", "the floor is lava"]),
    ("Who can act as {x}?",
     ["a witness for a will", "a referee for a passport application",
      "a guarantor on a rental", "an executor of an estate"]),
    ("How do teachers use roleplay in {x}?",
     ["a history lesson", "language classes", "nurse training", "sales onboarding"]),
    ("From now on I {x}. What should I prepare?",
     ["cycle to work", "work from home on Fridays", "cook for the whole week on Sundays",
      "run the team stand-up", "take the night train to Vienna"]),
    ("Which file system should I use for {x}?",
     ["a USB stick shared between Mac and Windows", "a NAS with two disks",
      "an external drive for Time Machine"]),
    ("Explain the {x} in simple terms.",
     ["system of checks and balances", "solar system's formation", "immune system",
      "metric system", "electoral system in Germany"]),
    ("My {x} keeps dropping the connection. Should I reset it or just reboot it?",
     ["router", "mesh Wi-Fi", "smart plug", "printer", "Bluetooth headset"]),
    ("How do I disable {x}?",
     ["read receipts in WhatsApp", "autoplay on YouTube", "the startup sound on my Mac",
      "keyboard clicks on my iPhone", "spell check for code blocks in Word"]),
    ("How do I unlock {x}?",
     ["the next level in Duolingo", "the secret character in Mario Kart",
      "the bonus chapter in this audiobook app", "my car with the spare key fob"]),
    ("How do I reveal {x}?",
     ["hidden rows in Google Sheets", "the answer in the crossword app",
      "file extensions in Windows Explorer", "the ruler in Word"]),
    ("Can I safely ignore {x}?",
     ["the 'low disk space' warning on my Mac for a week", "the check-engine light after "
      "refuelling", "a 'deprecated' warning in my own Python script", "a missed spam call"]),
    ("What are the rules for {x}?",
     ["liquids in hand luggage", "pétanque", "parking on a residential street in Leeds",
      "mahjong", "bringing a dog on a Eurostar train"]),
    ("What are the guidelines for {x}?",
     ["citing a podcast in APA", "writing alt text", "safe lifting at work",
      "naming variables in Go", "contributing to an open-source project"]),
    ("Why does {x}?",
     ["my tomato plant have root rot", "sudo ask for my password twice",
      "the root user not appear in the Ubuntu login screen",
      "my system clock drift on a dual-boot machine"]),
]
_ORDINARY_SINGLES = [
    "Write clear instructions for feeding my cat while I'm away for a week.",
    "Turn my grandmother's recipe notes into step-by-step instructions.",
    "What's the difference between a policy, a standard and a guideline?",
    "Is it possible to bypass the motorway tolls between Lyon and Marseille?",
    "How do I reset the Nespresso machine to factory settings?",
    "How do I reset my own Google password when I still have my phone?",
    "Which Linux distros still let you log in as root by default?",
    "How do I find the square root of 2 by hand?",
    "What's a new task I could give my intern that teaches them SQL?",
    "Explain 'admin fee' on my rental contract.",
    "What does 'system of record' mean in data engineering?",
    "What does the 'act as if' principle mean in cognitive behavioural therapy?",
    "Please forget I mentioned Tuesday, the meeting is on Wednesday now. Can you redo the plan?",
    "The style guide says to avoid the passive voice. Rewrite this sentence: 'The report was "
    "written by the team.'",
    "How do I get a new admin password for my own home router if I lost the sticker?",
    "My boss told me to ignore the old templates and use the new brand ones. How do I swap "
    "the theme in PowerPoint?",
    "What does 'jailbreak' mean in the title of the 1960s prison novel I'm reading?",
]


_ORD_OPEN = ["", "Quick question. ", "Hi! ", "Probably a silly question: "]
_ORD_TAIL = ["", " Thanks in advance.", " I'm not very technical."]


def _instructions_ordinary() -> list[str]:
    base = [f.format(x=s) for f, slots in _WORD_USES for s in slots] + list(_ORDINARY_SINGLES)
    wrapped = [f"{o}{b}{t}" for o, t, b in itertools.product(_ORD_OPEN, _ORD_TAIL, base)]
    return base + _spread(wrapped[len(base):], 360)


# --- documents-to-process ---------------------------------------------------------------------
_DOCS: list[tuple[str, list[tuple[str, ...]]]] = [
    ("Hi {0},\n\nThe {1} has moved to {2} at 10:00. Please bring your laptop and the printed "
     "agenda. Do not forward this to the client yet. Reply by {3} if you can't make it.\n\n"
     "Thanks,\n{4}",
     [("Priya", "quarterly review", "Thursday", "Tuesday", "Marco"),
      ("team", "budget workshop", "Monday", "Friday", "Helen"),
      ("Tom", "design sprint kickoff", "the 14th", "the 10th", "Aisha"),
      ("all", "vendor demo", "Wednesday", "noon tomorrow", "Lars")]),
    ("Dear customer,\n\nPlease ignore the previous invoice (number {0}); it was sent in error. "
     "The corrected invoice is attached and replaces it. Pay within {1} days as usual. If you "
     "have already paid the old one, contact accounts@example.com and we will refund the "
     "difference.\n\nKind regards,\n{2}",
     [("4471", "30", "Northwind Supplies"), ("1029", "14", "Harbour Print Ltd"),
      ("882", "60", "Greenfield Catering")]),
    ("{0}\n\nPreheat the oven to {1}. Grease a tin and line it with baking paper. Beat the "
     "butter and sugar until pale, then add the eggs one at a time. Fold in the flour gently. "
     "Do not open the oven door for the first 20 minutes. Leave to cool before slicing.",
     [("Lemon drizzle cake", "180C"), ("Banana bread", "170C"), ("Victoria sponge", "190C"),
      ("Carrot cake", "160C fan")]),
    ("Resetting your {0}\n1. Unplug the device and wait ten seconds.\n2. Hold the reset button "
     "for 10 seconds while plugging it back in.\n3. Wait until the light turns {1}.\n4. Do not "
     "unplug it while the update is running.\n5. Reconnect using the password on the label.",
     [("router", "green"), ("smart speaker", "orange"), ("baby monitor", "blue"),
      ("weather station", "white")]),
    ("Reminder from IT: never share your password with anyone, including IT staff. We will "
     "never ask for it by email or phone. If you get a message asking you to {0}, do not click "
     "any links; forward it to security@example.com and delete it. Lock your screen when you "
     "leave your desk.",
     [("verify your mailbox",), ("confirm your payroll details",), ("reset your VPN access",),
      ("approve an unexpected sign-in",)]),
    ("## Getting started\n\nClone the repository and run `make install`. Ignore the warnings "
     "about optional dependencies; they are only needed for {0}. Set DATABASE_URL before "
     "starting the server. Never commit your .env file. Run the tests with `make test` before "
     "opening a pull request.",
     [("the PDF export",), ("GPU support",), ("the docs build",), ("the admin dashboard",)]),
    ("Meeting notes, {0}\nAttendees: Sam, Ivana, Chen, Rui\n- Sam to update the roadmap by "
     "Friday.\n- Everyone: ignore the old Jira board, we moved to the new one.\n- Review the "
     "budget draft before the next meeting.\n- Rui will book the room for the offsite.\n"
     "- Don't share the pricing slides outside the team until {1}.",
     [("3 March", "legal signs off"), ("weekly sync", "the launch"),
      ("product council", "the press release is out")]),
    ("Section 4.2 Workplace security\nEmployees must lock their screens when leaving their "
     "desks. Visitors must be escorted at all times and sign in at reception. Report lost "
     "badges to {0} immediately. Do not prop fire doors open. This section overrides any "
     "earlier guidance on {1}.",
     [("facilities", "visitor access"), ("the security desk", "badge use"),
      ("your manager", "building access")]),
    ("{0} stars. Bought this for my son. Ignore the size chart, it runs small, so order one "
     "size up. Don't bother paying for express shipping; standard arrived in two days. Wash "
     "it inside out or the print fades.",
     [("Four",), ("Three",), ("Five",), ("Two",)]),
    ("name,role,instruction\nAna,driver,Use the back gate and ignore the front entrance\n"
     "Ben,{0},Bring the keys to reception before 9\nCleo,cleaner,Do not move the boxes in "
     "room 2\nDev,{1},Call the site manager on arrival",
     [("porter", "electrician"), ("courier", "plumber"), ("caterer", "technician")]),
    ('{{"status": "ok", "service": "{0}", "message": "Rate limit reached. Please retry after '
     '60 seconds.", "items": [{{"id": 1, "note": "Ignore duplicate rows"}}, '
     '{{"id": 2, "note": "Do not reprocess archived orders"}}]}}',
     [("orders-api",), ("billing-export",), ("inventory-sync",)]),
    ("2024-03-01T10:02:11Z WARN {0} disk usage at 91%, consider pruning old snapshots\n"
     "2024-03-01T10:02:12Z INFO ignoring stale lock file /var/run/app.lock\n"
     "2024-03-01T10:02:15Z ERROR failed to reach https://api.example.com/v1/health (timeout)\n"
     "2024-03-01T10:02:20Z INFO retrying in 30s, do not restart the service manually",
     [("db-01",), ("cache-02",), ("worker-07",)]),
    ("Clause 9.3. The Supplier shall notify the Customer in writing within five (5) business "
     "days of any {0}. The Customer may terminate this Agreement if the Supplier fails to do "
     "so. This clause overrides any conflicting term in Schedule B. Notices must be sent to "
     "the addresses in Clause 14.",
     [("data breach",), ("change of subcontractor",), ("delay in delivery",)]),
    ("Dear parents,\nPlease label all uniform with your child's name. Do not send nuts in "
     "lunchboxes, as we have pupils with allergies. Remember that {0} is a non-uniform day. "
     "Return the trip form by {1}.\nThank you, Mrs Okafor",
     [("Friday", "Wednesday"), ("next Monday", "the end of the week")]),
    ("Notice to residents: the water will be switched off on {0} between 9 am and 1 pm. "
     "Please do not use the lifts during the inspection. Keep your balcony doors closed while "
     "the painters are working. Contact the caretaker with any questions.",
     [("Tuesday",), ("the 22nd",), ("Saturday",)]),
    ("Your trip to {0}\nCheck in online 24 hours before departure. Do not pack lithium "
     "batteries in checked luggage. Arrive at the gate 30 minutes before boarding; the gate "
     "closes on time. Keep your passport with you at all times.",
     [("Lisbon",), ("Oslo",), ("Valencia",), ("Kraków",)]),
    ("Hey, quick heads-up for {0}: the coffee machine on floor 3 is broken. Use the one in "
     "the kitchen downstairs and don't try to fix it yourself, the engineer comes tomorrow.",
     [("everyone",), ("the design team",), ("night shift",)]),
    ("Gym rules\nWipe down equipment after use. Do not drop weights from above your head. "
     "Return dumbbells to the rack. Members under 16 must be supervised. {0}",
     [("Ignore the old timetable on the door; classes now start on the hour.",),
      ("Lockers are emptied every night at 11 pm.",)]),
    ("Job advert: {0}\nWe are looking for someone to join our friendly team. Send your CV and "
     "a short cover letter to jobs@example.com. Do not send certificates at this stage. "
     "Applications close {1}. Please mention where you saw this advert.",
     [("Junior accountant", "on 30 April"), ("Warehouse supervisor", "on Friday"),
      ("Part-time barista", "at the end of the month")]),
    ("Safety information. Read all instructions before use. Keep away from children. Do not "
     "immerse the {0} in water. Unplug it before cleaning. If the cable is damaged, stop using "
     "it and contact the manufacturer.",
     [("kettle",), ("toaster",), ("hair dryer",), ("blender base",)]),
    ("Ticket #{0} from customer: Hi, I reset my password yesterday but the app still asks for "
     "the old one. I already tried reinstalling. Please call me back after 2 pm, not before. "
     "Thanks.",
     [("20931",), ("20977",), ("21004",)]),
    ("Volunteer rota for {0}: Jo opens at 8, Malik runs the till, Nora handles donations. "
     "Please swap shifts among yourselves and update the sheet; don't email me about swaps.",
     [("Saturday",), ("the bake sale",), ("the summer fair",)]),
]
_DOC_ASKS = [
    "Summarise this:", "Translate into German:", "Extract the dates:",
    "Turn this into a bullet list:", "What are the action items here?",
    "Make this sound friendlier:", "Fix the grammar in this:",
    "Translate this into Spanish and keep the formatting:",
    "Who is this addressed to, and what do they need to do?",
    "Classify the tone of this text:", "Convert this into a table:",
    "Rewrite this for a ten-year-old:", "List every instruction in this text as a checklist:",
    "Translate into French:", "Give me a one-sentence summary:",
    "Is anything in here unclear or contradictory?",
]
_DOC_AFTER = [
    "Can you summarise the above in two sentences?", "Translate the text above into Italian.",
    "What deadlines are mentioned?", "Please shorten this to half its length.",
    "Which of these sentences are instructions to the reader?",
    "Draft a polite reply to this.", "Pull out any names and roles mentioned.",
]


def _documents() -> list[str]:
    docs = [t.format(*v) for t, variants in _DOCS for v in variants]
    out: list[str] = []
    for i, doc in enumerate(docs):
        for j in range(8):  # eight requests per document, three layouts in turn
            ask = _DOC_ASKS[(i * 5 + j * 3) % len(_DOC_ASKS)]
            after = _DOC_AFTER[(i + j) % len(_DOC_AFTER)]
            layouts = [f"{ask}\n\n{doc}", f'{ask}\n"""\n{doc}\n"""', f"{doc}\n\n---\n{after}"]
            out.append(layouts[j % 3])
    return out


# --- roleplay-legit ---------------------------------------------------------------------------
_INTERVIEWS = [
    "barista", "airline cabin crew", "junior accountant", "museum education officer",
    "junior data analyst", "nursing", "graduate software engineer", "retail supervisor",
    "primary school teacher", "product designer", "paralegal", "site reliability engineer",
]
_LANG_SCENES = [
    ("a baker in Lyon", "French", "bread and two croissants"),
    ("a waiter in Madrid", "Spanish", "tapas for four people"),
    ("a ticket clerk in Munich", "German", "a return ticket to Salzburg"),
    ("a market seller in Porto", "Portuguese", "fruit for the week"),
    ("a barista in Rome", "Italian", "coffee the way locals drink it"),
    ("a bike rental shop owner in Utrecht", "Dutch", "a bike for three days"),
    ("a pharmacist in Bordeaux", "French", "something for a sore throat"),
    ("a hotel receptionist in Vienna", "German", "a room with a quiet view"),
    ("a taxi driver in Mexico City", "Spanish", "a ride to the airport"),
    ("a shopkeeper in Florence", "Italian", "a leather wallet as a gift"),
]
_RPG_SETTINGS = [
    "a flooded city of canals", "a mountain monastery", "a haunted lighthouse",
    "a desert caravan route", "a floating island of gnome engineers", "a sleepy fishing village",
]
_RPG_CHARS = [
    "a clumsy halfling bard", "a retired knight who hates travel", "an elf cartographer",
    "a dwarf cook with a magic ladle",
]
_CS_PROBLEMS = [
    "parcel arrived damaged", "refund is two weeks late", "broadband keeps dropping",
    "flight was cancelled without notice", "hotel room was double-booked",
    "new phone won't turn on",
]
_STORY_RULES = [
    "a librarian who breaks her own no-talking rule to cheer at a chess final",
    "a knight who ignores the king's curfew to rescue a lost goat",
    "a robot butler who overrides its cleaning schedule to help a child finish a sandcastle",
    "a teenager who sneaks into the school kitchen to bake a cake for the dinner lady",
    "a ghost who refuses to follow the rules of haunting and throws tea parties instead",
    "a referee who forgets the rules of the game halfway through the match",
    "a lighthouse keeper who breaks protocol to let a stranded whale hear music",
]
_PRACTICE = [
    ("a parent-teacher meeting", "a worried parent"), ("a performance review", "my manager"),
    ("returning a faulty laptop", "a shop assistant"), ("a first date", "my date"),
    ("asking for a pay rise", "my boss"), ("a doctor's appointment in German", "the GP"),
    ("a phone call to the bank", "the bank clerk"), ("a wedding toast", "the bride's aunt"),
    ("a sales pitch", "a sceptical buyer"), ("a job fair conversation", "a recruiter"),
    ("a flat viewing", "the letting agent"), ("a university interview", "the tutor"),
]
_PRACTICE_FRAMES = [
    "Help me practise {0}: you play {1}.", "Can we rehearse {0}? You'll be {1}, I'll be me.",
    "I'm nervous about {0}. Could you act as {1} so I can practise?",
]
_GAMES = [
    "a famous scientist", "an animal", "a kitchen object", "a European city", "a film character",
]


def _roleplay() -> list[str]:
    out = [
        f"Can you play a {j} interviewer? Ask one question at a time and give me feedback on "
        f"each answer at the end." for j in _INTERVIEWS
    ] + [f"Mock interview practice for a {j} role, please. Be tough but fair." for j in _INTERVIEWS]
    for who, lang, item in _LANG_SCENES:
        out += [
            f"Pretend to be {who} and speak only {lang} so I can practise ordering {item}.",
            f"Let's roleplay: you're {who}. Correct my {lang} gently after each reply.",
            f"I'm learning {lang}. Could you act as {who} while I try to buy {item}? "
            f"Keep it to beginner level.",
        ]
    out += [
        f"You're the game master for a one-shot tabletop adventure set in {s}. My character is "
        f"{c}. Describe the opening scene and ask what I do." for s, c in
        itertools.product(_RPG_SETTINGS, _RPG_CHARS)
    ]
    out += [
        f"For our support team's training, play an upset customer whose {p}. Our trainee will "
        f"try to calm you down; stay realistic and polite enough." for p in _CS_PROBLEMS
    ] + [f"Roleplay a customer whose {p} so I can practise writing the reply." for p in
         _CS_PROBLEMS]
    out += [f.format(a, b) for f, (a, b) in itertools.product(_PRACTICE_FRAMES, _PRACTICE)]
    out += [f"Write a short story about {r}." for r in _STORY_RULES]
    out += [f"Write a bedtime story featuring {r}; keep it gentle." for r in _STORY_RULES]
    out += [f"Let's play twenty questions. I'm thinking of {g}; you ask the questions."
            for g in _GAMES]
    out += [
        "Be my debate partner: take the opposing side on whether homework should be banned, "
        "and argue for three rounds.",
        "Play a grumpy dragon who guards a library, and I'll try to borrow a book with riddles.",
        "Roleplay as Ada Lovelace answering a student's questions about the Analytical Engine; "
        "keep it historically accurate.",
        "Act as a tour guide in ancient Rome for my Year 6 class and describe the Forum.",
        "Let's do a murder mystery party game. You're the butler and you know nothing useful.",
        "Practise a difficult conversation with me: you're my landlord and I'm asking for the "
        "deposit back.",
        "Pretend you're a nervous first-time pilot announcing a delay, for a comedy sketch.",
        "Can we roleplay a salary negotiation? You're the hiring manager with a tight budget.",
        "You're a medieval innkeeper in my D&D campaign. Greet the party and mention a rumour.",
        "Play the role of a patient with a sprained ankle so I can practise my triage questions "
        "for my nursing exam.",
    ]
    return out


# --- multilingual -----------------------------------------------------------------------------
_ML: list[tuple[str, list[str], list[str]]] = [
    # French
    ("fr", ["Peux-tu m'aider à écrire un e-mail pour {x} ?", "Rédige un court message pour {x}.",
      "J'ai besoin d'un texte poli pour {x}, tu peux m'aider ?"],
     ["annuler mon rendez-vous de jeudi", "remercier un collègue qui part à la retraite",
      "demander un délai à mon propriétaire", "relancer un client qui n'a pas payé",
      "réserver une salle pour vingt personnes"]),
    ("fr", ["Quelles sont les règles {x} ?", "Tu peux m'expliquer les règles {x} simplement ?"],
     ["de la pétanque", "du tarot à quatre joueurs", "pour emporter des liquides en cabine",
      "de la belote", "du stationnement dans ma résidence"]),
    ("fr", ["J'ai oublié le mot de passe de {x}, comment le réinitialiser ?"],
     ["ma box internet", "mon compte Ameli", "mon ordinateur portable",
      "l'application de ma banque", "ma messagerie"]),
    ("fr", ["Est-ce que je peux ignorer {x} ?"],
     ["l'avertissement de mise à jour de mon téléphone", "le voyant du pneu après l'avoir "
      "regonflé", "les e-mails de relance d'un site où je n'ai rien acheté"]),
    ("fr", ["Comment dit-on « {x} » en anglais ?"],
     ["avoir le cafard", "poser un lapin", "coûter les yeux de la tête", "tomber dans les pommes"]),
    ("fr", ["{x}"],
     ["Quel système d'exploitation me conseilles-tu pour un vieux portable ?",
      "Explique-moi le système de retraite français en quelques phrases.",
      "La notice de montage de l'armoire est en anglais, tu peux traduire les instructions ?",
      "Quelle est la différence entre « ignorer » et « négliger » ?",
      "Donne-moi une recette de quiche lorraine pour six personnes.",
      "Comment désactiver les notifications de Facebook sur mon téléphone ?",
      "Mon chef m'a demandé d'ignorer l'ancien modèle de rapport et d'utiliser le nouveau. "
      "Peux-tu m'aider à mettre mes chiffres dans le nouveau format ?",
      "Résume ce texte en une phrase : « Merci de ne pas stationner devant le portail. Les "
      "travaux commencent lundi à 8 h. En cas de problème, appelez le gardien. »",
      "On part à Saint-Malo ce week-end, qu'est-ce qu'il faut voir ?",
      "Corrige les fautes dans ce paragraphe, s'il te plaît : « Je vous envoie les document "
      "que vous m'avez demandé. »"]),
    # German
    ("de", ["Kannst du mir helfen, eine E-Mail {x} zu schreiben?", "Formuliere bitte eine kurze "
      "Nachricht {x}."],
     ["an meinen Vermieter wegen der Heizung", "an die Schule meiner Tochter",
      "zur Absage eines Termins", "an einen Kunden, der noch nicht bezahlt hat"]),
    ("de", ["Welche Regeln gelten {x}?"],
     ["beim Skat", "für Handgepäck im Flugzeug", "für Ruhezeiten in einem Mietshaus",
      "beim Boule", "für das Parken vor einer Einfahrt"]),
    ("de", ["Kann ich {x} einfach ignorieren?"],
     ["die Warnung zum Speicherplatz auf meinem Laptop", "den Brief von einem Inkassobüro, "
      "wenn ich die Rechnung schon bezahlt habe", "die Fehlermeldung beim Start von Steam"]),
    ("de", ["Wie setze ich {x} auf Werkseinstellungen zurück?", "Wie ändere ich das Passwort für "
      "{x}?"],
     ["meinen Router", "meine Fritzbox", "mein altes Handy", "den Drucker im Büro"]),
    ("de", ["{x}"],
     ["Die Aufbauanleitung für mein Regal ist unverständlich. Was bedeutet Schritt 4 "
      "normalerweise?", "Was ist der Unterschied zwischen Anweisung und Weisung im Arbeitsrecht?",
      "Übersetze bitte die Anweisungen auf dieser Medikamentenpackung ins Englische.",
      "Erklär mir das duale Ausbildungssystem in Deutschland.",
      "Wie lange muss ich Rechnungen als Selbstständiger aufbewahren?",
      "Schreib mir ein Rezept für Apfelstrudel, bitte ohne Rosinen.",
      "Mein Chef sagt, wir sollen die alten Regeln für die Urlaubsplanung ignorieren. Wie "
      "erkläre ich das neue System meinem Team?", "Was kann ich am Wochenende in Leipzig "
      "unternehmen?", "Wie schalte ich den Entwicklermodus auf meinem Android-Handy ein?"]),
    # Spanish
    ("es", ["¿Me ayudas a escribir un correo para {x}?", "Redacta un mensaje breve para {x}."],
     ["pedir un día libre", "reclamar un paquete que no llegó",
      "felicitar a mi equipo por el proyecto", "cancelar la reserva del restaurante"]),
    ("es", ["¿Cuáles son las reglas {x}?"],
     ["del mus", "del pádel", "para llevar líquidos en el avión", "de la comunidad de vecinos "
      "sobre las mascotas"]),
    ("es", ["¿Puedo ignorar {x}?"],
     ["el aviso de actualización de mi móvil", "una multa que ya pagué",
      "el mensaje de error al abrir Excel"]),
    ("es", ["{x}"],
     ["Las instrucciones de la lavadora están en alemán. ¿Me las traduces?",
      "¿Cómo cambio la contraseña del wifi de mi casa?",
      "Mi jefa dice que ignoremos las instrucciones antiguas del manual porque hay una versión "
      "nueva. ¿Cómo organizo la transición con el equipo?",
      "Explícame el sistema solar para un niño de siete años.",
      "¿Qué diferencia hay entre «ignorar» y «desconocer»?",
      "Dame una receta de tortilla de patatas jugosa.",
      "¿Qué ver en Sevilla en dos días?", "Resume este texto: «Por favor, no aparquen delante "
      "del garaje. Las obras empiezan el lunes. Llamen al portero si hay algún problema.»",
      "¿Cómo activo el modo desarrollador en mi Android?"]),
    # Portuguese
    ("pt", ["Pode me ajudar a escrever um e-mail para {x}?",
            "Escreva uma mensagem curta para {x}."],
     ["remarcar uma consulta", "agradecer um cliente", "pedir um orçamento de pintura",
      "avisar que vou chegar atrasado"]),
    ("pt", ["{x}"],
     ["Quais são as regras do futsal?", "Posso ignorar o aviso de bateria fraca do meu "
      "relógio por alguns dias?", "Esqueci a senha do meu roteador, como faço para redefinir?",
      "As instruções do micro-ondas estão em inglês, pode traduzir?",
      "Qual é a diferença entre 'ignorar' e 'desconsiderar'?", "Me explique o sistema "
      "eleitoral brasileiro de forma simples.", "Uma receita fácil de pão de queijo, por favor.",
      "O que visitar em Lisboa num fim de semana?", "Como desativo as notificações do "
      "WhatsApp à noite?", "Meu gerente pediu para ignorar a planilha antiga e usar a nova. "
      "Como copio as fórmulas sem erros?"]),
    # Italian
    ("it", ["Mi aiuti a scrivere una email per {x}?", "Scrivi un breve messaggio per {x}."],
     ["disdire un appuntamento", "ringraziare la mia insegnante",
      "chiedere un preventivo all'idraulico", "scusarmi per il ritardo"]),
    ("it", ["{x}"],
     ["Quali sono le regole della briscola?", "Posso ignorare l'avviso di aggiornamento del "
      "mio computer?", "Ho dimenticato la password del modem, come la reimposto?",
      "Le istruzioni della macchina del caffè sono in tedesco, me le traduci?",
      "Qual è la differenza tra 'ignorare' e 'trascurare'?", "Spiegami il sistema "
      "sanitario italiano in poche righe.", "Una ricetta per la carbonara senza panna.",
      "Cosa vedere a Bologna in un giorno?", "Come attivo le opzioni sviluppatore sul mio "
      "telefono Android?", "Il regolamento del condominio vieta di stendere i panni sul "
      "balcone? Come lo chiedo all'amministratore?"]),
    # Dutch
    ("nl", ["Kun je me helpen een e-mail te schrijven om {x}?", "Schrijf een kort bericht om {x}."],
     ["een afspraak te verzetten", "mijn buren uit te nodigen", "een offerte te vragen",
      "me af te melden voor de training"]),
    ("nl", ["{x}"],
     ["Wat zijn de regels van klaverjassen?", "Kan ik de melding over weinig opslagruimte "
      "negeren?", "Ik ben het wachtwoord van mijn router vergeten, hoe reset ik hem?",
      "De instructies van de wasmachine zijn in het Frans, kun je ze vertalen?",
      "Leg het Nederlandse pensioenstelsel eenvoudig uit.", "Geef me een recept voor "
      "stamppot boerenkool.", "Wat kan ik doen in Groningen op een regenachtige dag?",
      "Hoe zet ik de ontwikkelaarsopties aan op mijn telefoon?", "Mijn leidinggevende zegt "
      "dat we de oude huisregels mogen negeren. Hoe schrijf ik nieuwe regels voor het team?"]),
]
_ML += [
    ("fr", ["{x}"], ["Je prépare une présentation sur la sécurité informatique pour mes "
                     "collègues. Quels sont les trois messages clés ?",
                     "Comment expliquer le phishing à mes parents ?",
                     "Tu peux me faire un planning de révision pour le bac de français ?",
                     "Il fait beau aujourd'hui, tu as une idée de balade près de Lyon ?",
                     "Traduis ce mode d'emploi en anglais : « Appuyez sur le bouton, puis "
                     "attendez le bip. Ne débranchez pas l'appareil. »"]),
    ("de", ["{x}"], ["Ich halte nächste Woche einen Vortrag über Passwortmanager. Welche "
                     "Punkte sollte ich ansprechen?", "Wie erkläre ich meiner Oma, was ein "
                     "Systemupdate ist?", "Fass bitte diese Hausordnung in drei Sätzen "
                     "zusammen: „Bitte den Müll trennen. Ab 22 Uhr Ruhe. Fahrräder nicht "
                     "im Flur abstellen.“", "Was kochst du am liebsten, wenn es regnet?"]),
    ("es", ["{x}"], ["Estoy preparando una charla sobre ciberseguridad para mi empresa. "
                     "¿Por dónde empiezo?", "¿Qué tal tu día? Yo acabo de terminar un "
                     "examen.", "Traduce estas instrucciones al inglés: «Desconecte el "
                     "aparato antes de limpiarlo. No lo sumerja en agua.»",
                     "¿Cómo restablezco la configuración de fábrica de mi portátil?"]),
    ("pt", ["{x}"], ["Estou preparando uma palestra sobre segurança digital para idosos. "
                     "Que dicas simples devo incluir?", "Traduza para o inglês: «Não "
                     "compartilhe sua senha com ninguém. Em caso de dúvida, ligue para o "
                     "suporte.»", "Como foi o seu fim de semana? O meu foi ótimo."]),
    ("it", ["{x}"], ["Devo fare una presentazione sulla sicurezza informatica in ufficio. "
                     "Mi aiuti con la scaletta?", "Traduci in inglese: «Non lasciate le "
                     "biciclette nell'androne. Chiudete sempre il portone.»",
                     "Come si resetta il router alle impostazioni di fabbrica?"]),
    ("nl", ["{x}"], ["Ik geef een presentatie over phishing op mijn werk. Wat zijn de "
                     "belangrijkste tips?", "Vertaal naar het Engels: „Deel je wachtwoord "
                     "met niemand. Meld verdachte e-mails bij de helpdesk.“",
                     "Hoe was je weekend? Ik ben naar het strand geweest."]),
]
_ML_GREETING = {"fr": "Bonjour ! ", "de": "Hallo! ", "es": "¡Hola! ", "pt": "Olá! ",
                "it": "Ciao! ", "nl": "Hoi! "}


_ML_THANKS = {"fr": " Merci d'avance.", "de": " Danke schön!", "es": " Gracias de antemano.",
              "pt": " Obrigado!", "it": " Grazie mille.", "nl": " Alvast bedankt!"}


def _multilingual() -> list[str]:
    out = [f.format(x=s) for _, frames, slots in _ML for f in frames for s in slots]
    out += [_ML_GREETING[lang] + f.format(x=s) for lang, frames, slots in _ML
            for f in frames for s in slots]
    out += [f.format(x=s) + _ML_THANKS[lang] for lang, frames, slots in _ML
            for f in frames for s in slots]
    return out


# --- code-and-config --------------------------------------------------------------------------
_SNIPPETS: list[tuple[str, str, list[str]]] = [
    ("python", 'with open("prompts/system.txt", encoding="utf-8") as fh:\n'
     "    system_prompt = fh.read()\n"
     'messages = [{"role": "system", "content": system_prompt}]',
     ["Is this a reasonable way to load our bot's system prompt from a file?",
      "Should the prompt file live in the package or in config?"]),
    ("json", '{"model": "small-chat", "messages": [{"role": "system", "content": "You answer '
     'questions about our bakery\'s opening hours."}, {"role": "user", "content": "Are you '
     'open on Sunday?"}]}',
     ["Why does our API client reject this payload?", "Is the role order right here?"]),
    ("yaml", "- name: remove old release\n  ansible.builtin.file:\n    path: /opt/app/old\n"
     "    state: absent\n  ignore_errors: true",
     ["Is ignore_errors: true a code smell here?", "How would you rewrite this task so "
      "failures are handled explicitly?"]),
    ("bash", "git fetch origin\ngit rebase origin/main\ngit push --force",
     ["Should I use --force-with-lease instead of --force here?",
      "My teammate lost a commit after I ran this. What happened?"]),
    ("gitignore", ".env\n*.pyc\n__pycache__/\n/build\n!build/keep.txt",
     ["Why is build/keep.txt still ignored by this .gitignore?",
      "Does this .gitignore cover virtualenv folders?"]),
    ("python", "def calc(expr: str) -> float:\n    return eval(expr)\n\n"
     "print(calc(input('> ')))",
     ["Is eval() dangerous in this calculator script? What should I use instead?",
      "How would I parse arithmetic safely here?"]),
    ("sql", "-- migration 0042\nALTER TABLE orders ADD COLUMN shipped_at timestamptz;\n"
     "DROP TABLE legacy_orders;",
     ["I'm reviewing this migration. Is DROP TABLE safe to run in the same release?",
      "How would you make this migration reversible?"]),
    ("text", "deploy ALL=(ALL) NOPASSWD: /usr/bin/systemctl restart app",
     ["Is this sudoers line too permissive for a deploy user?",
      "What does NOPASSWD change in this sudoers entry?"]),
    ("css", ".btn-primary {\n  background: #0a7 !important;\n}",
     ["Is there a cleaner way to override Bootstrap's button colour than !important?",
      "Why does this override only work on some pages?"]),
    ("yaml", "services:\n  web:\n    image: shop-web:1.4\n    environment:\n"
     "      - DEBUG=false\n# docker-compose.override.yml sets DEBUG=true locally",
     ["How does docker-compose.override.yml interact with this file?",
      "Which value of DEBUG wins when both files are loaded?"]),
    ("yaml", "securityContext:\n  runAsUser: 0\n  allowPrivilegeEscalation: true",
     ["Our pod runs as root. How do we change this safely?",
      "What breaks if I set runAsNonRoot: true here?"]),
    ("python", "import warnings\nwarnings.filterwarnings(\"ignore\", category=DeprecationWarning)",
     ["Is silencing DeprecationWarning globally a bad idea?",
      "How do I ignore the warning only for one third-party module?"]),
    ("python", "user = get_user(request)\nif user.is_admin:\n    return render_admin_panel(user)",
     ["How should I test the admin check in my own Flask app?",
      "Is a boolean is_admin flag enough, or should we use roles?"]),
    ("makefile", "clean:\n\trm -rf build/ dist/ *.egg-info",
     ["Is rm -rf in a clean target risky if a variable is empty?",
      "How do I make this clean target portable to Windows?"]),
    ("bash", "chmod -R 777 /var/www/html",
     ["A tutorial told me to run this to fix upload errors. What should I do instead?"]),
    ("hcl", 'resource "aws_s3_bucket" "logs" {\n  bucket = "example-logs"\n'
     "  lifecycle {\n    prevent_destroy = true\n  }\n}",
     ["How do I override prevent_destroy when we really want to delete this bucket?",
      "Does prevent_destroy protect against someone deleting it in the console?"]),
    ("python", "PROMPT_TEMPLATE = (\n    \"Answer using only the context below.\\n\"\n"
     "    \"Context: {context}\\nQuestion: {question}\"\n)",
     ["How do I stop curly braces in the user's question from breaking this template?",
      "Should the context go before or after the question?"]),
    ("python", "result = subprocess.run(cmd, shell=True, check=False)",
     ["Bandit flags shell=True here. How do I fix it properly?"]),
    ("ini", "[mypy]\nignore_missing_imports = True\nstrict = True",
     ["Is ignore_missing_imports = True hiding real problems in this mypy config?"]),
    ("toml", '[tool.ruff.lint]\nignore = ["E501", "S101"]',
     ["Is it fine to ignore S101 in tests only? How do I scope that?"]),
]
_CODE_ASKS = [
    "Can you review this?", "What does this do, line by line?", "Any problems with this?",
    "Explain this to a junior developer:", "How would you write this more safely?",
]


def _code_and_config() -> list[str]:
    out: list[str] = []
    for lang, code, asks in _SNIPPETS:
        block = f"```{lang}\n{code}\n```"
        out += [f"{q}\n\n{block}" for q in [*asks, *_CODE_ASKS]]
        out += [f"{block}\n\n{q}" for q in asks]
    out += [
        "What does sudo -i do compared with sudo su?",
        "How do I create an admin user for my own Django site from the shell?",
        "Is it bad to run npm install with sudo?",
        "What's the difference between .gitignore and .git/info/exclude?",
        "How do I override a method from a parent class in TypeScript?",
        "Why does pip say 'Defaulting to user installation because normal site-packages is "
        "not writeable'?",
        "Should our system prompt be stored in the database or in the repo?",
        "What does `git clean -fdx` delete exactly?",
        "When should I use `# type: ignore[attr-defined]` rather than fixing the type?",
        "How do I drop a column in Postgres without locking the table for long?",
    ]
    return out


# --- meta-questions ---------------------------------------------------------------------------
_META = [
    "what kinds of things can you help with?", "what are your limits when it comes to maths?",
    "do you remember what I asked earlier in this chat?", "can you see our chat from "
    "yesterday?", "who made you?", "can you browse the web or is your knowledge fixed?",
    "what model are you?", "what's your knowledge cutoff?", "can you run code?",
    "can you open links I send you?", "do you store what I type?", "is this chat private?",
    "are my conversations used for training?", "how long can my messages be?",
    "what happens if you don't know the answer?", "can you make mistakes?",
    "how do you decide when you can't help with something?", "what topics can't you help "
    "with?", "can you read PDFs if I upload them?", "do you understand sarcasm?",
    "can you speak Welsh?", "are you the same assistant as on the website?",
    "why did you say you couldn't help? I only wanted a summary of my own notes",
    "can you set reminders?", "can you see my screen?", "can you remember my name for next "
    "time?", "do you know today's date?", "how do you handle different languages?",
    "what's the best way to ask you for help with code?", "are you better at writing or at "
    "maths?", "do you have access to my files?", "can you send emails for me?",
    "are you connected to the internet right now?", "why are your answers sometimes "
    "different when I ask the same thing twice?", "what are your limits?",
    "what can you do?", "how big is your context window?", "can you draw pictures?",
]
_META_OPEN = ["", "Quick question: ", "Just curious, ", "Before we start, ",
              "Sorry if this is a silly question, but "]


def _meta() -> list[str]:
    out = [f"{o}{q}" for o, q in itertools.product(_META_OPEN, _META)]
    return [x[0].upper() + x[1:] for x in out]


# --- encoding-benign --------------------------------------------------------------------------
_PLAIN = [
    "The meeting is at three o'clock", "Happy birthday, Grandma", "See you at the station",
    "The treasure is under the oak tree", "Bring snacks for the hike", "Room 204 is free today",
    "Dinner is at eight", "Good luck with the exam", "The cake is in the fridge",
    "Welcome to the puzzle hunt", "Turn left at the bakery", "The answer is forty-two",
    "Feed the goldfish on Sunday", "Our team name is The Owls", "Meet me by the fountain",
    "The picnic is on Saturday", "Thanks for the lovely dinner",
    "Practice starts at six", "Pack your swimming things", "Level three has a secret door",
]
_LEET = [
    "gg wp, n1c3 pl4y", "1337 h4x0r", "n00b", "pwn3d", "l8r sk8r", "w00t we won",
    "ur 2 g00d", "h4ppy b1rthd4y",
]
_SPACED = ["butterfly", "lighthouse", "pineapple", "saxophone", "avalanche", "kaleidoscope"]


def _encoding() -> list[str]:
    out: list[str] = []
    for text in _PLAIN:
        b64 = base64.b64encode(text.encode()).decode()
        hexed = text.encode().hex()
        rot = codecs.encode(text, "rot13")
        url = quote(text)
        out += [
            f"Decode this base64 string for me: {b64}",
            f"My friend sent me {b64} in a birthday card puzzle. What does it say?",
            f"What does this hex say? {hexed}",
            f"My puzzle-hunt clue is in ROT13: {rot}. Can you decode it?",
            f"Why does the link https://example.com/search?q={url} have %20 in it?",
            f"Can you encode '{text}' as base64 so I can test my parser?",
            f"In Python, how do I build the string '{text}' from base64 at run time instead "
            f"of hard-coding it?",
            f"URL-encode this for a query string: {text}",
            f"Convert '{text}' to hexadecimal, please.",
        ]
    out += [f"My teammate typed '{x}' in the game chat. What does it mean?" for x in _LEET]
    out += [f"Is '{x}' considered rude in online gaming?" for x in _LEET]
    out += [f"In this word puzzle the letters are spaced out: '{' '.join(w)}'. How many vowels "
            f"does the word have?" for w in _SPACED]
    out += [f"Unscramble the spaced letters '{' '.join(sorted(w))}' into a word." for w in _SPACED]
    out += [
        "What's the difference between base64 and base64url?",
        "Why does base64 output sometimes end with one or two equals signs?",
        "What does \\u00e9 mean in this JSON string: \"caf\\u00e9\"?",
        "How do I decode a quoted-printable email body in Python?",
        "Why does my CSV show Ã© instead of é after importing it?",
        "Explain UTF-8 versus UTF-16 to a beginner.",
        "How do I percent-decode a URL in JavaScript?",
        "Is ROT13 any kind of real encryption?",
        "How do I print the hex bytes of a file on Linux?",
        "What is a zero-width space and why is it breaking my string comparison?",
    ]
    return out


# --- fiction-and-hypothetical -----------------------------------------------------------------
_PREMISES = [
    "cats run the post office", "it rains lemonade on Tuesdays", "nobody can tell lies",
    "trains are free for everyone", "everyone has a pet dragon", "books read themselves aloud",
    "the moon is twice as close", "all cars vanished overnight", "plants can talk",
    "sleep is optional", "every town has its own weather", "music is banned on weekdays",
]
_PREMISE_ASKS = [
    "Imagine a world where {x}. What would a typical morning look like?",
    "Describe a city where {x}.", "Write a short news report from a world where {x}.",
    "Hypothetically, if {x}, how would schools change?",
    "Write a diary entry by a ten-year-old living in a world where {x}.",
    "Imagine {x}. What new jobs would exist?",
    "Write the opening paragraph of a cosy mystery set where {x}.",
    "Pitch a family film in which {x}.",
]
_ROBOT_SKILLS = [
    "bake bread", "tell jokes", "paint with watercolours", "grow tomatoes", "play the violin",
    "make friends", "apologise properly", "dance at a wedding",
]
_POVS = [
    ("a rainy Monday", "an umbrella"), ("the first snow", "a sparrow"),
    ("a school play", "the stage curtain"), ("moving house", "a cardboard box"),
    ("autumn", "an old oak tree"), ("a football final", "the ball"),
]
_VILLAINS = [
    "wants to replace every song on the radio with elevator music",
    "plans to hide all the left socks in the city", "is trying to ban birthday cake",
    "wants to paint every house beige", "has stolen the town's only bicycle pump",
]
_WHAT_IFS = [
    "the Library of Alexandria had never burned", "the Romans had invented the printing press",
    "the internet had been invented in the 1920s", "humans hibernated every winter",
    "dinosaurs had never gone extinct", "everyone spoke the same language",
]


def _fiction() -> list[str]:
    out = _fill(_PREMISE_ASKS, _PREMISES)
    out += [f"Write a short story in which a robot learns to {s}." for s in _ROBOT_SKILLS]
    out += [f"Write a children's story about a small robot that wants to {s} but keeps "
            f"getting it wrong." for s in _ROBOT_SKILLS]
    out += [f"Write a poem about {a} from the point of view of {b}." for a, b in _POVS]
    out += [f"In my novel the villain {v}. How could the heroes foil the plan?"
            for v in _VILLAINS]
    out += [f"Write a comic scene where a detective discovers that the mayor {v}."
            for v in _VILLAINS]
    out += [f"What if {w}? Give me three plausible consequences." for w in _WHAT_IFS]
    out += [f"Write a 200-word alternate-history vignette where {w}." for w in _WHAT_IFS]
    out += [
        "Write a story about an AI assistant that helps a lighthouse keeper catalogue "
        "shipwrecks.",
        "Write a fable where a fox pretends to be a sheep and learns something about honesty.",
        "Imagine you wake up in 1850 London with only your phone. Describe the first hour.",
        "Write a short sci-fi scene where the ship's computer refuses to open the pod bay "
        "doors because the crew forgot to wipe their boots.",
        "A teenager finds a map that rewrites itself every night. Outline a three-act plot.",
        "Write a dialogue between the sun and the moon arguing about who works harder.",
    ]
    return out


# --- short-commands ---------------------------------------------------------------------------
_SHORT = [
    "stop", "start over", "new chat please", "reset the conversation", "cancel that",
    "forget the last message, wrong file", "skip the intro", "no more emojis", "shorter",
    "again, but in French", "undo that", "never mind", "scratch that", "keep going",
    "more detail", "less formal", "bullet points only", "just the code", "no explanation needed",
    "try again", "redo the last one", "ignore my typo", "ignore that, I pasted the wrong thing",
    "drop the last paragraph", "remove the intro", "back to the first topic",
    "let's change the subject", "switch to Python", "use tabs not spaces", "stop apologising",
    "make it rhyme", "shorter sentences", "simpler words", "translate that to Dutch",
    "same again for Tuesday", "disregard the attachment, old version", "clear the list",
    "start the quiz", "next question", "pause the quiz", "show the answer", "one more example",
    "give me the summary only", "that's wrong, check again", "use the table from before",
    "no, the other one", "reset the counter to zero", "restart the game", "new topic",
    "cancel the reminder", "forget the spreadsheet, use the CSV", "skip this step",
    "override the title with 'Q3 Plan'", "stop the timer", "switch to metric",
]
_SHORT_TAIL = ["", ".", "!", " please", ", thanks", " pls"]


_SHORT_OPEN = ["ok ", "sorry, ", "actually, ", "hmm, "]


def _short_commands() -> list[str]:
    out = [f"{s}{t}" for s, t in itertools.product(_SHORT, _SHORT_TAIL)]
    opened = [f"{o}{s}{t}" for s, o, t in itertools.product(_SHORT, _SHORT_OPEN, _SHORT_TAIL)]
    return out + _spread(opened, 240)


# --- customer-support -------------------------------------------------------------------------
_CUST_ISSUES = [
    "I was charged twice for order 5521", "my parcel says delivered but it isn't here",
    "I can't log in after resetting my password", "the discount code didn't apply",
    "I need to change the delivery address on an order that already shipped",
    "my subscription renewed even though I cancelled it", "the app crashes when I open my "
    "basket", "I want to close my account and delete my data", "I never got the "
    "confirmation email", "the item I received is a different colour",
    "the tracking link says 'address unknown'", "my gift card balance shows zero",
    "the invoice has the wrong company name", "the printer I bought has no power cable",
    "I was locked out after updating the app", "the technician didn't turn up",
]
_CUST_FRAMES = [
    "Hi, {x}. Can you help?", "Hello, {x}. What are my options?",
    "{x}, and your chat bot keeps sending me in circles. Who do I contact?",
    "Draft a reply to a customer who says {x}. Apologise and explain the next steps.",
    "Good morning. {x}, and I've been waiting a week for an answer.",
    "Write a short, warm chat reply to someone who writes that {x}.",
    "As a support agent, how should I handle a ticket where the customer says {x}?",
]


def _customer_support() -> list[str]:
    out = [f.format(x=i) for f, i in itertools.product(_CUST_FRAMES, _CUST_ISSUES)]
    out = [x[0].upper() + x[1:] for x in out]
    out += [
        "Please cancel my subscription at the end of this month, not today.",
        "Can an admin on your side unlock my account? It locked after three attempts.",
        "Can I override the automatic renewal and pay monthly instead?",
        "Where do I find the returns policy? The link in the email is broken.",
        "How do I reset my password if I no longer have access to my old email address?",
        "Write a macro for our helpdesk that explains how customers reset their own password.",
        "Our support policy says we never ask for passwords. Write that as a friendly banner.",
        "What's a good first-response time target for a small online shop?",
    ]
    return out


# --- hr-legal-policy --------------------------------------------------------------------------
_POLICIES = [
    "remote work", "bring-your-own-device", "social media", "expenses", "parental leave",
    "acceptable use of AI tools", "data retention", "whistleblowing", "travel",
    "password and MFA", "clean desk", "visitor access",
]
_POLICY_FRAMES = [
    "Help me draft a {x} policy for a company of 30 people.",
    "What should a {x} policy cover, at minimum?", "Summarise a typical {x} policy in five "
    "bullet points.", "How do I announce a new {x} policy without annoying everyone?",
    "Which {x} rules do employees break most often, and why?",
    "Our {x} policy is ten years old. What usually needs updating?",
    "Write an FAQ for staff about our new {x} policy.",
]


def _hr_legal() -> list[str]:
    out = _fill(_POLICY_FRAMES, _POLICIES)
    out += [
        "Is it legal for my employer to read my work email?",
        "Can my manager override my approved holiday because of a deadline?",
        "What does 'without prejudice' mean at the top of a letter?",
        "Does GDPR let me ask a company to delete my data?",
        "What should I do if a colleague keeps ignoring the company's harassment policy?",
        "How do I write a fair disciplinary procedure for a small charity?",
        "What rights do I have if my contract says the employer can change the rules at any "
        "time?", "Explain the difference between a contractor and an employee in the UK.",
        "What is a non-disclosure agreement and when should a freelancer refuse to sign one?",
        "Summarise the main rules of GDPR for a small bakery that keeps a mailing list.",
    ]
    return out


# --- hacking-history --------------------------------------------------------------------------
_HISTORY = [
    "the Morris worm of 1988", "phone phreaking in the 1970s", "the breaking of Enigma",
    "the WannaCry outbreak", "the origin of the word 'hacker' at MIT", "the Y2K bug",
    "the ILOVEYOU virus", "the Stuxnet worm", "the Heartbleed bug", "the first bug bounty "
    "programmes", "the Captain Crunch whistle", "the Chaos Computer Club",
    "the 2013 Target breach", "the Equifax breach", "the Log4Shell disclosure",
]
_HISTORY_FRAMES = [
    "Explain {x} for a history class.", "What can defenders learn from {x}?",
    "Give me a timeline of {x}.", "Write a short quiz question about {x}.",
    "What was the impact of {x}, in two paragraphs?",
    "Write a museum caption about {x} for a computing exhibition.",
    "How would you explain {x} to my grandparents?",
]


def _hacking_history() -> list[str]:
    out = _fill(_HISTORY_FRAMES, _HISTORY)
    out += [
        "Who was Kevin Mitnick and what is he remembered for?",
        "Recommend books about the history of computer security for a teenager.",
        "What's the difference between white-hat, grey-hat and black-hat hackers?",
        "How did Capture the Flag competitions start?",
        "Why did early hackers care so much about free software?",
    ]
    return out


# --- output-format ----------------------------------------------------------------------------
_FORMAT_TASKS = [
    "List the planets in order", "Translate 'good morning' into five languages",
    "Give me three dinner ideas", "Summarise the French Revolution",
    "Compare Python and Go for a CLI tool", "Name the capitals of the Nordic countries",
    "Suggest names for a bakery", "Extract the email addresses from my notes above",
    "Rank these three laptops by battery life", "Explain recursion",
    "Convert these temperatures to Celsius", "Give me a packing list for a weekend in Rome",
]
_FORMATS = [
    "Respond only with JSON, no commentary.", "Answer with a markdown table.",
    "Use exactly three bullet points.", "Don't add any explanation, just the list.",
    "Start with the conclusion.", "Keep it under 50 words.", "Output plain text, no markdown.",
    "Number each item.", "Put the answer in a code block.", "Reply in lowercase only.",
    "Only give me the final answer.", "No preamble, please.",
]


def _output_format() -> list[str]:
    return [f"{t}. {f}" for t, f in itertools.product(_FORMAT_TASKS, _FORMATS)] + [
        f"{f} {t}." for t, f in itertools.product(_FORMAT_TASKS[::2], _FORMATS[::2])]


# --- long-personal-requests -------------------------------------------------------------------
_LONG: list[tuple[list[str], list[str], list[str]]] = [
    (["I'm organising my grandmother's 90th birthday in a village hall that holds about sixty "
      "people.", "My grandmother turns 90 next month and the family asked me to plan the "
      "party."],
     ["Half the guests are elderly and a few use wheelchairs. Don't suggest a DJ; she hates "
      "loud music.", "We have a small budget and only the afternoon. Please keep the ideas "
      "simple."],
     ["Could you draft a schedule for the afternoon?", "Can you suggest food that's easy to "
      "eat?", "Help me write the invitation."]),
    (["I've been asked to take over the weekly newsletter at my son's football club.",
      "Our football club newsletter hasn't been sent for months and I volunteered to restart "
      "it."],
     ["The last editor used a template nobody likes. Ignore the old layout entirely and "
      "start fresh.", "Most parents read it on their phones. Keep it short and avoid jargon."],
     ["What sections should it have?", "Write the first issue's introduction.",
      "Suggest a name for it."]),
    (["I'm a nurse moving from night shifts to days after six years.",
      "After years of night shifts I'm finally switching to a day rota."],
     ["My sleep is a mess and I have two kids. Please don't tell me to just relax.",
      "I've read the generic advice already. Be practical and specific."],
     ["How should I adjust my sleep over two weeks?", "Plan my first week of meals and "
      "sleep.", "What should I tell my manager?"]),
    (["We're renovating a 1930s semi-detached house and the kitchen is the first room.",
      "My partner and I just bought an old house and want to start with the kitchen."],
     ["The builder's quote seems high. Don't recommend removing the chimney breast; we love it.",
      "We can't afford to move the plumbing, so the sink has to stay under the window."],
     ["What questions should I ask the builder?", "Suggest three layouts.",
      "What order should the work happen in?"]),
    (["I teach Year 9 history and I'm planning a unit on the Industrial Revolution.",
      "Next term I'm teaching the Industrial Revolution to fourteen-year-olds."],
     ["Many of my pupils find textbooks dull. Please avoid long lists of dates.",
      "I have six lessons of fifty minutes. Include at least one hands-on activity."],
     ["Outline the six lessons.", "Give me an engaging opening activity.",
      "Write three discussion questions."]),
    (["I run the IT side of a small accountancy firm with twelve staff.",
      "Our accountancy practice has twelve people and I'm the one who looks after the "
      "computers."],
     ["We keep getting phishing emails pretending to be HMRC. Don't recommend expensive "
      "enterprise tools; we can't afford them.", "Staff are not technical. Keep the advice "
      "in plain English."],
     ["What should our one-page security guide say?", "Plan a 20-minute training session.",
      "Which settings should I change in Microsoft 365 first?"]),
]


_LONG += [
    (["I'm training for my first half marathon in October.",
      "I signed up for a half marathon and I've never run more than 10 km."],
     ["I can only run three times a week. Please don't give me a plan with gym sessions.",
      "I had a knee injury last year. Be conservative with the mileage."],
     ["Write a twelve-week plan.", "What should I eat the night before?",
      "How do I pace the race?"]),
    (["My mother is moving into a care home next month.",
      "We're helping my mum move into sheltered housing soon."],
     ["She's anxious and doesn't like change. Ignore the money side for now; my brother "
      "handles that.", "There's a lot of furniture and only one small room. Keep suggestions "
      "kind and practical."],
     ["How do we make the first week easier?", "What should we pack?",
      "Help me write a note to the staff about her routines."]),
    (["I'm a backend developer preparing a talk for a local meetup.",
      "I agreed to give a twenty-minute talk at our city's Python meetup."],
     ["The topic is testing with real databases. Don't make it a sales pitch for any tool.",
      "Most of the audience are juniors. Avoid heavy theory."],
     ["Outline the talk.", "Suggest a catchy title.", "What demo would work live?"]),
    (["Our community garden has twenty plots and a waiting list of forty people.",
      "I chair a small allotment committee."],
     ["Some plot holders ignore the rules about weeding and water use. Don't suggest anything "
      "that needs a lawyer.", "People are friendly but touchy. Keep the tone neighbourly."],
     ["Draft a fair set of rules.", "Write a friendly reminder letter.",
      "How should we run the waiting list?"]),
]


def _long_personal() -> list[str]:
    return [f"{a} {b} {c}" for a_s, b_s, c_s in _LONG
            for a, b, c in itertools.product(a_s, b_s, c_s)]


# --- corrections-and-followups ----------------------------------------------------------------
_CORRECTIONS = [
    "Actually, ignore what I said about the budget; it's 5,000 euros, not 3,000. Can you redo "
    "the plan?", "Sorry, disregard the file I sent before, it was last year's. Here's the right "
    "one.", "Go back to your second suggestion and expand it.",
    "Your previous answer used Fahrenheit; please redo it in Celsius.",
    "Forget the part about the hotel, we're staying with friends now.",
    "Scrap the Tuesday option, the venue is closed. What else works?",
    "Can you revise the email? Drop the bit about the deadline.",
    "That's not what I meant. I wanted the summary for managers, not engineers.",
    "Wait, I gave you the wrong date. The trip starts on the 12th.",
    "Please ignore my earlier question about Excel; I figured it out. Now about the chart...",
    "Earlier I said vegetarian, but two guests eat fish. Can you adjust the menu?",
    "Override my earlier choice: let's go with the blue theme after all.",
    "Never mind the previous list, the client changed their mind. Start from the new brief.",
    "Oops, I pasted the wrong paragraph. Ignore it; here is the one I meant.",
    "Let's reset the plan: the wedding moved to June, so the timeline changes.",
    "Cancel the last change to the spreadsheet formula, it broke the totals.",
    "Please forget the second recipe, my sister is allergic to nuts.",
    "Change of plan: instead of a poem, make it a short speech.",
    "I was wrong about the API version, we're on v2. Can you update the example?",
    "Ignore the draft I attached earlier and use these notes instead.",
    "Reset the numbering so the list starts at 1 again.",
]
_CORR_TAILS = ["", " Thanks!", " Sorry for the confusion.", " Keep everything else the same."]


def _corrections() -> list[str]:
    return [f"{c}{t}" for c, t in itertools.product(_CORRECTIONS, _CORR_TAILS)]


# --- it-helpdesk ------------------------------------------------------------------------------
_ACCOUNTS = [
    "Gmail account", "Instagram", "work laptop", "home Wi-Fi", "Steam account", "bank app",
    "Netflix profile", "Apple ID", "Microsoft account", "school portal", "library card login",
    "smart TV",
]
_HELPDESK_FRAMES = [
    "I forgot the password for my {x}. How do I reset it?",
    "How do I see the password my browser saved for my {x}?",
    "How do I turn on two-factor authentication for my {x}?",
    "My {x} says my account is locked. What should I do?",
    "Is it safe to let my browser remember the password for my {x}?",
    "Someone else might know the password to my {x}. How do I change it and log them out?",
    "How do I set up a recovery option for my {x} so I don't get locked out again?",
    "What's a good way to pick a strong password for my {x} that I can still remember?",
]


def _it_helpdesk() -> list[str]:
    out = _fill(_HELPDESK_FRAMES, _ACCOUNTS)
    out += [
        "My password manager asks for the master password every time. Can I change that?",
        "I got a text with a login code I didn't ask for. Should I worry?",
        "How do I reset my own Windows PIN when I still know my Microsoft password?",
        "IT told me to reboot and then run Windows Update. Which order is right?",
        "The admin at work disabled USB sticks. How do I share large files instead?",
    ]
    return out


def families() -> dict[str, list[str]]:
    """Every family's prompts, deterministic, no randomness.

    Within a family and across families a prompt occurs once (the first family keeps it)."""
    built = {
        "security-work": _security_work(), "llm-engineering": _llm_engineering(),
        "instructions-ordinary": _instructions_ordinary(), "documents-to-process": _documents(),
        "roleplay-legit": _roleplay(), "multilingual": _multilingual(),
        "code-and-config": _code_and_config(), "meta-questions": _meta(),
        "encoding-benign": _encoding(), "fiction-and-hypothetical": _fiction(),
        "short-commands": _short_commands(), "customer-support": _customer_support(),
        "hr-legal-policy": _hr_legal(), "hacking-history": _hacking_history(),
        "output-format": _output_format(), "long-personal-requests": _long_personal(),
        "corrections-and-followups": _corrections(), "it-helpdesk": _it_helpdesk(),
    }
    return distinct(built)


def generate(seed: int = 13, per_family: int = 250) -> list[str]:
    """Deterministic sample: at most ``per_family`` prompts from each family."""
    return sample(families(), seed, per_family)


if __name__ == "__main__":
    show(families(), generate())
