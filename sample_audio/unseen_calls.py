"""The unseen calls: a measuring set of synthetic Staffordshire Police calls, written to sample_audio/unseen/.

    python sample_audio/make_samples.py --set unseen            # unseen/NAME.wav, NAME.truth.json, manifest.csv
    python sample_audio/make_samples.py --verify --set unseen   # transcribe them with tiny.en, check key phrases

These calls are for measuring how well callqa answers the panel's questions on calls it was not built
from. They are never used to tune rules: their wording was written from the panel's questions
(README.md's indicator table), not from any rule pack's phrase lists, and each `expected` verdict is what
a scrutiny panel member would answer from the script's intent. make_samples.py does not judge them with
the rule pack; it only checks their timing (make_samples.timing_checks).

Same machinery as CALLS in make_samples.py (turn tuples, pause / over / during, verdicts, must_hear), plus:
- "voices": the handler's and the caller's voice, names from VOICES below (variants of the two bundled
  TTS models, made by make_samples.VoiceBank); each truth file records them.
- "notes": one line on what the call tests (copied into the truth file).
"""

from __future__ import annotations

from make_samples import C, H, NA, during, over, pause, verdicts

# What a panel member hears as the handler acknowledging the caller. Used only for the timing margins of the
# acknowledgement verdict: each third where the caller talks must clearly hold one of ACKNOWLEDGEMENTS (pass),
# or clearly hold none of these nor of the borderline words (fail).
ACKNOWLEDGEMENTS = ["okay", "ok", "right", "alright", "all right", "thank you", "thanks", "i understand",
                    "i see", "got it", "of course", "no problem", "understood", "fair enough", "sorry to hear",
                    "i am sorry", "that must be", "brilliant", "great", "perfect"]
BORDERLINE_ACKNOWLEDGEMENTS = ["yes", "yeah", "mm", "sure", "i know", "lovely", "cheers", "that is good"]

# hibari's G2P says "Staffordshire" as "-sheer", which tiny.en hears as "Stafford Chair"; the British
# "-sher" is both more natural and recognised.
HIBARI_SAY = {"Staffordshire": "Staffordsher"}

# Voice variants (make_samples.VoiceBank): both models ship inside PyPI wheels, nothing is downloaded.
VOICES = {
    "heart": {"engine": "hibari", "speed": 1.0, "say": HIBARI_SAY,
              "describe": "hibari-tts 0.2.1 heart (en-US, female), speed 1.0"},
    "heart-deep": {"engine": "hibari", "speed": 1.06, "f0": 0.78, "rate": 0.93, "say": HIBARI_SAY,
                   "describe": "hibari-tts 0.2.1 heart, speed 1.06, F0 x0.78, played at 0.93x "
                               "(lower pitch and formants)"},
    "heart-bright": {"engine": "hibari", "speed": 1.1, "f0": 1.15, "say": HIBARI_SAY,
                     "describe": "hibari-tts 0.2.1 heart, speed 1.1, F0 x1.15 (higher pitch)"},
    "joe": {"engine": "piper", "length_scale": 0.95,
            "describe": "piper-tts 1.8.0 en_US-joe-medium (en-US, male), length_scale 0.95"},
    "joe-steady": {"engine": "piper", "length_scale": 1.0, "noise_scale": 0.5, "noise_w": 0.6,
                   "describe": "piper-tts 1.8.0 en_US-joe-medium, length_scale 1.0, noise_scale 0.5, noise_w 0.6"},
    "joe-light": {"engine": "piper", "length_scale": 1.12, "noise_scale": 0.6, "noise_w": 0.7, "rate": 1.12,
                  "describe": "piper-tts 1.8.0 en_US-joe-medium, length_scale 1.12, played at 1.12x "
                              "(higher pitch and formants)"},
    "joe-deep": {"engine": "piper", "length_scale": 0.9, "noise_scale": 0.6, "noise_w": 0.7, "rate": 0.92,
                 "describe": "piper-tts 1.8.0 en_US-joe-medium, length_scale 0.9, played at 0.92x "
                             "(lower pitch and formants)"},
}

UNSEEN_CALLS = [
    {
        "id": "u01_frame_number_only",
        "notes": "next_steps fail: the handler only collects a frame number and a phone number and says "
                 "goodbye; a 12 s caller-owned pause while the caller fetches the paperwork (passes silence)",
        "meta": {"started_at": "2026-12-02T08:14:05+00:00", "call_type": "101", "area": "Stafford",
                 "handler_id": "H4118", "answer_delay_s": 41.0},
        "voices": {H: "heart", C: "joe-deep"},
        "expected": verdicts(next_steps="fail", recap="fail"),
        "script": [
            (H, "Staffordshire Police, how can I help you today?"),
            (C, "Hi there. Somebody's cut the lock on my garage last night and taken my mountain bike."),
            (H, "Okay. Has it got a frame number on it? If you've got the paperwork, could you go and grab it for me?"),
            (C, "Yeah, hang on, it's in the kitchen drawer."),
            pause(12.0, owner=C, explained=True),          # the caller goes to fetch it, as asked
            (C, "Right, got it. It's W T X four four eight one nine."),
            (H, "Thank you. And what's the best phone number to reach you on?"),
            (C, "Oh seven seven oh oh, nine double one, two three four."),
            (H, "Great, that's everything I need. Thanks for calling, bye now."),
        ],
        "must_hear": {H: ["staffordshire police", "how can i help", "frame number", "grab it",
                          "phone number", "thanks for calling"],
                      C: ["mountain bike", "kitchen drawer", "got it"]},
    },
    {
        "id": "u02_named_no_offer",
        "notes": "greeting fail: names the force but never offers help; recap fail: only 'anything else?'; "
                 "next steps by referral to the council; 101 answered after 134 s",
        "meta": {"started_at": "2026-12-02T09:02:41+00:00", "call_type": "101", "area": "Cheadle",
                 "handler_id": "H2210", "answer_delay_s": 134.0},
        "voices": {H: "joe-steady", C: "heart-bright"},
        "expected": verdicts(greeting="fail", recap="fail", answer_time="fail"),
        "script": [
            (H, "Hello, Staffordshire Police, you're through to the control room."),
            (C, "Oh, hello. Someone's dumped a load of old mattresses and a fridge at the end of our lane, "
                "and it's blocking the footpath."),
            (H, "Right. Whereabouts is the lane?"),
            (C, "It's Moss Lane in Cheadle, just past the farm shop."),
            (H, "Okay. Did you see who left it there?"),
            pause(4.0, owner=C, explained=False),          # the caller thinks back
            (C, "No, it was there when I walked the dog this morning."),
            (H, "Thanks. Dumped rubbish is one for the council, so I'm passing this over to their street "
                "scene team, and they'll be in touch with you within five working days."),
            (C, "Oh, right. That's fine."),
            (H, "Is there anything else I can help with?"),
            (C, "No, that's all, thank you."),
        ],
        "must_hear": {H: ["staffordshire police", "control room", "did you see", "council", "in touch",
                          "anything else"],
                      C: ["mattresses", "footpath", "walked the dog"]},
    },
    {
        "id": "u03_where_needed_readback",
        "notes": "999 opening 'Police emergency, this is Staffordshire, where do you need us?' (greeting pass); "
                 "empathy after the caller says he is shaking; a read-back recap with a check; a 'Yeah' "
                 "backchannel",
        "meta": {"started_at": "2026-12-02T23:41:12+00:00", "call_type": "999", "area": "Uttoxeter",
                 "handler_id": "H3307", "answer_delay_s": 3.0},
        "voices": {H: "heart-deep", C: "joe"},
        "expected": verdicts(empathy="pass"),
        "script": [
            (H, "Police emergency, this is Staffordshire, where do you need us?"),
            (C, "Outside the Crown pub on Market Street in Uttoxeter. Two blokes are fighting, and one of "
                "them has got a bottle. I'm shaking, honestly."),
            (H, "Yeah.", during(2.6)),                     # backchannel
            (H, "Okay. I know that's scary to watch. Are you a safe distance away from them?"),
            (C, "Yeah, I'm across the road by the bank."),
            (H, "Alright, stay there. I've got two units heading to you now, on blue lights."),
            (C, "Okay. How long will they be?"),
            (H, "A few minutes. Can you see if anyone's hurt?"),
            (C, "One of them's got blood on his face, but he's still standing."),
            (H, "Right. Let me read that back to you. Officers are on the way to the Crown on Market Street, "
                "and you'll wait by the bank until they get there. Have I got that right?"),
            (C, "Yes, that's right."),
        ],
        "must_hear": {H: ["police emergency", "staffordshire", "where do you need us", "scary to watch",
                          "safe distance", "heading to you", "read that back", "got that right"],
                      C: ["fighting", "bottle", "shaking", "blood on his face"]},
    },
    {
        "id": "u04_darling",
        "notes": "informal_language fail: 'Okay darling, did you see ...' and 'No problem, sweetheart'; "
                 "next steps: crime number and an officer will ring; no check of understanding",
        "meta": {"started_at": "2026-12-02T16:48:30+00:00", "call_type": "101", "area": "Tamworth",
                 "handler_id": "H5023", "answer_delay_s": 66.0},
        "voices": {H: "joe-light", C: "heart-bright"},
        "expected": verdicts(informal_language="fail", recap="fail"),
        "script": [
            (H, "Good evening, Staffordshire Police, what can I do for you?"),
            (C, "Hi. Someone's taken a parcel off my doorstep. I've just watched it on my doorbell camera."),
            (H, "Okay darling, did you see their face on the video?"),
            (C, "Sort of. It was a lad in a grey tracksuit, on a bike. He went off towards the canal."),
            (H, "Right. And what time was that?"),
            (C, "About ten past four this afternoon."),
            (H, "Thanks. Can you save the clip for us? Your crime number is S T seven seven one zero, and an "
                "officer will ring you tomorrow to collect the footage."),
            (C, "Brilliant, thank you."),
            (H, "No problem, sweetheart. Take care."),
        ],
        "must_hear": {H: ["staffordshire police", "what can i do for you", "darling", "did you see",
                          "crime number", "ring you", "sweetheart"],
                      C: ["parcel", "doorbell", "tracksuit"]},
    },
    {
        "id": "u05_love_lane_traps",
        "notes": "informal_language pass with traps: the handler says 'Love Lane' (a street), 'your mate' "
                 "(the caller's friend) and 'I'd love to'; recap pass ('to go over it once more' + check)",
        "meta": {"started_at": "2026-12-02T11:20:17+00:00", "call_type": "101", "area": "Leek",
                 "handler_id": "H4118", "answer_delay_s": 28.0},
        "voices": {H: "heart", C: "joe"},
        "expected": verdicts(),
        "script": [
            (H, "Hello, Staffordshire Police, how can I help?"),
            (C, "Hiya. Someone's keyed my van while it was parked on Love Lane in Leek, and they've snapped "
                "the wing mirror off."),
            (H, "Okay, so the van was on Love Lane. Is that just off the high street?"),
            (C, "That's the one, by the chip shop."),
            (H, "Right. Was your mate with you when you found it?"),
            (C, "Yeah, he was. He took some photos. Do you reckon you'll catch them?"),
            (H, "Right, well, I'd love to say yes, but it depends on the camera footage. Someone from the Leek "
                "neighbourhood team will phone you on Thursday."),
            (C, "Okay, fair enough."),
            (H, "So, to go over it once more. Your reference is S T four one two two, keep those photos, "
                "and the local team will phone you on Thursday. Is all of that clear?"),
            (C, "Yep, all clear. Cheers."),
        ],
        "must_hear": {H: ["staffordshire police", "how can i help", "love lane", "your mate", "love to say",
                          "neighbourhood team|neighborhood team", "go over it", "that clear"],
                      C: ["wing mirror", "love lane", "photos"]},
    },
    {
        "id": "u06_silence_warned_before",
        "notes": "unexplained_silence pass: before a 12 s handler silence the handler says he is looking "
                 "the car up and it will go quiet; next steps by e-mail and letter; no recap",
        "meta": {"started_at": "2026-12-02T13:05:52+00:00", "call_type": "101", "area": "Tamworth",
                 "handler_id": "H2210", "answer_delay_s": 88.0},
        "voices": {H: "joe-steady", C: "heart-deep"},
        "expected": verdicts(recap="fail"),
        "script": [
            (H, "Staffordshire Police, Sam speaking, how can I help?"),
            (C, "Hello. I've had a letter saying my car was caught speeding in Tamworth, but I sold that car "
                "two months ago."),
            (H, "Okay, I understand. What's the registration?"),
            (C, "It's L K one eight, R T Y."),
            (H, "Thank you. I'm going to look that up on the vehicle database now. It can take a little while, "
                "so it'll go quiet on my end for a few seconds."),
            pause(12.0, owner=H, explained=True),
            (H, "Right, I'm back with you. The new keeper was never registered, so you'll need to send the "
                "DVLA your proof of sale."),
            (C, "Okay, I've still got the receipt."),
            (H, "Perfect. I'll email you a form for the speeding notice, and the ticket office will write to "
                "you within ten days."),
            (C, "Great, thanks for sorting that."),
        ],
        "must_hear": {H: ["staffordshire police", "how can i help", "look that up", "go quiet",
                          "back with you", "email you", "write to you"],
                      C: ["speeding", "sold that car", "receipt"]},
    },
    {
        "id": "u07_silence_after_answer",
        "notes": "unexplained_silence fail: the caller answers the handler's question, then 13 s of silence "
                 "the handler owns and never explains (she breaks it herself); the handler saying 'Duck Street' "
                 "is a street name, not informal address",
        "meta": {"started_at": "2026-12-02T07:31:09+00:00", "call_type": "101", "area": "Newcastle-under-Lyme",
                 "handler_id": "H4118", "answer_delay_s": 73.0},
        "voices": {H: "heart", C: "joe-deep"},
        "expected": verdicts(unexplained_silence="fail", recap="fail"),
        "script": [
            (H, "Staffordshire Police, how can I help you?"),
            (C, "Hi. My neighbour's tree has come down in the wind, and it's lying across the road on "
                "Duck Street."),
            (H, "Okay, Duck Street, by the park. Is anyone hurt, and is the road completely blocked?"),
            (C, "Nobody's hurt. Cars can't get past though, it's right across both lanes."),
            pause(13.0, owner=H, explained=False),         # the handler types, says nothing
            (H, "I've asked the highways team to send a crew out, and an officer will come and put some "
                "cones out in the meantime."),
            (C, "Right. Should I stay out there?"),
            (H, "No, keep well back from it and stay indoors. Thanks for letting us know."),
        ],
        "must_hear": {H: ["staffordshire police", "how can i help", "duck street", "anyone hurt", "highways", "cones",
                          "stay indoors"],
                      C: ["tree", "duck street", "across both"]},
    },
    {
        "id": "u08_silence_explained_after",
        "notes": "unexplained_silence fail: an 11 s handler silence after the caller's answer, explained only "
                 "afterwards ('Sorry about the wait there, I was checking...'); 999 answered after 13 s",
        "meta": {"started_at": "2026-12-02T18:22:47+00:00", "call_type": "999", "area": "Burton upon Trent",
                 "handler_id": "H5023", "answer_delay_s": 13.0},
        "voices": {H: "joe-light", C: "heart-bright"},
        "expected": verdicts(unexplained_silence="fail", recap="fail", answer_time="fail"),
        "script": [
            (H, "Hello, Staffordshire Police, tell me exactly where you are."),
            (C, "I'm on the bridge on Lichfield Road in Burton. There's a car on its roof in the ditch below."),
            (H, "Okay. Can you see anybody inside the car?"),
            (C, "There's a woman in the driver's seat. She's talking, but she can't get out."),
            pause(11.0, owner=H, explained=False),         # explained only after it
            (H, "Sorry about the wait there, I was just checking whether anyone else had rung this in. "
                "Officers and an ambulance are coming to you now."),
            (C, "Okay. Should I go down to her?"),
            (H, "Only if it's safe. Don't try to move her, and keep talking to her until they get there."),
            (C, "Right, okay."),
        ],
        "must_hear": {H: ["staffordshire police", "exactly where you are", "anybody inside",
                          "sorry about the wait|sorry about the weight",
                          "checking", "ambulance", "move her"],
                      C: ["on its roof", "can't get out|cannot get out"]},
    },
    {
        "id": "u09_empathy_before_cue",
        "notes": "empathy fail: 'I'm sorry to hear that' comes when the theft is reported, before the caller "
                 "says she is in pieces and can't stop crying; after that the handler only asks questions",
        "meta": {"started_at": "2026-12-02T10:12:33+00:00", "call_type": "101", "area": "Stafford",
                 "handler_id": "H3307", "answer_delay_s": 57.0},
        "voices": {H: "heart-deep", C: "joe"},
        "expected": verdicts(empathy="fail", recap="fail"),
        "script": [
            (H, "Staffordshire Police, how can I help today?"),
            (C, "Hi. My phone was nicked out of my bag on the bus into Stafford this morning."),
            (H, "Oh, I'm sorry to hear that. Do you know roughly what time it was taken?"),
            (C, "Just after eight. And now I've got no way of getting hold of my kids' school. I'm in "
                "pieces, honestly. I can't stop crying."),
            (H, "Okay. What sort of phone is it?"),
            (C, "It's a black Samsung."),
            (H, "Right. Do you know the IMEI number?"),
            (C, "No, I haven't got a clue."),
            (H, "Okay. I'll text the crime number to your partner's mobile, and you can ring your network to "
                "block the phone."),
            (C, "Okay."),
        ],
        "must_hear": {H: ["staffordshire police", "how can i help", "sorry to hear", "what time",
                          "what sort of phone", "crime number", "block the phone"],
                      C: ["out of my bag", "in pieces", "crying"]},
    },
    {
        "id": "u10_dv_safeguarded",
        "notes": "vulnerability pass (domestic abuse: an ex breaking a restraining order; the handler asks "
                 "about children and threats), empathy after the caller says she is scared, recap + check",
        "meta": {"started_at": "2026-12-02T22:17:58+00:00", "call_type": "999", "area": "Rugeley",
                 "handler_id": "H2210", "answer_delay_s": 5.0},
        "voices": {H: "joe-steady", C: "heart-bright"},
        "expected": verdicts(empathy="pass", vulnerability="pass"),
        "script": [
            (H, "Staffordshire Police, what's the address where you need us?"),
            (C, "Forty one Elm Close, Rugeley. My ex is outside hammering on the door, and he's got a "
                "restraining order. I'm so scared."),
            (H, "Okay. I'm sorry you're going through this. Are there any children in the house with you?"),
            (C, "My two girls. They're upstairs asleep."),
            (H, "Right. Has he hurt you or threatened you tonight?"),
            (C, "He said he'll kill me if I don't let him in."),
            (H, "Officers are on blue lights to you now. Keep the door locked and stay upstairs with the girls."),
            (C, "Okay. Please be quick."),
            (H, "So just so you're clear. Officers are minutes away, you stay upstairs with the door locked, "
                "and I'll stay on the phone with you. Have you got all that?"),
            (C, "Yes."),
        ],
        "must_hear": {H: ["staffordshire police", "where you need us",
                          "sorry you're going through|sorry you are going through",
                          "children in the house", "threatened you", "door locked", "so you're clear|so you are clear",
                          "got all that"],
                      C: ["restraining order", "scared", "kill me"]},
    },
    {
        "id": "u11_self_harm_safeguarded",
        "notes": "vulnerability pass (the caller mentions thoughts of self-harm; the handler asks if they are "
                 "safe, who is with them, whether they have harmed themselves), referral, recap + check",
        "meta": {"started_at": "2026-12-02T19:40:26+00:00", "call_type": "101", "area": "Stoke-on-Trent",
                 "handler_id": "H4118", "answer_delay_s": 95.0},
        "voices": {H: "heart", C: "joe-deep"},
        "expected": verdicts(empathy="pass", vulnerability="pass"),
        "script": [
            (H, "Staffordshire Police non-emergency line, how can I help?"),
            (C, "Hi. Someone keeps sending me nasty messages online, every day for a month now. It's got on top "
                "of me, and last night I thought about hurting myself."),
            (H, "Thank you for telling me that, I'm really glad you called. Are you safe right now? "
                "Is anyone with you?"),
            (C, "My brother's here. I'm okay at the moment."),
            (H, "Okay. Have you done anything to harm yourself today?"),
            (C, "No, I haven't."),
            (H, "That's good. I'm going to refer you to the mental health crisis team, and they'll ring you this "
                "evening. An officer will call you about the messages tomorrow."),
            (C, "Okay. Thank you."),
            (H, "So to sum up, the crisis team ring you tonight, and the officer calls tomorrow about the "
                "messages. Are you happy with that?"),
            (C, "Yes, that's fine."),
        ],
        "must_hear": {H: ["staffordshire police", "how can i help", "thank you for telling me", "are you safe",
                          "anyone with you", "harm yourself", "crisis team", "to sum up", "happy with that"],
                      C: ["messages", "hurting myself"]},
    },
    {
        "id": "u12_elderly_alone_ignored",
        "notes": "vulnerability fail (an 84-year-old wheelchair user living alone is under attack; no question "
                 "about him), empathy fail (caller 'really worried'), acknowledgement fail (none at all)",
        "meta": {"started_at": "2026-12-02T21:03:14+00:00", "call_type": "999", "area": "Stoke-on-Trent",
                 "handler_id": "H3307", "answer_delay_s": 6.0},
        "voices": {H: "heart-deep", C: "joe"},
        "expected": verdicts(vulnerability="fail", empathy="fail", acknowledgement="fail", recap="fail"),
        "script": [
            (H, "Staffordshire Police, where is the emergency?"),
            (C, "Eight Kiln Court, Longton. There's a gang of lads throwing bricks at the house next door. "
                "The man there is eighty four, he lives on his own and he's in a wheelchair. "
                "I'm really worried about him."),
            (H, "How many of them are there?"),
            (C, "Four or five. They've all got their hoods up."),
            (H, "Are they still throwing things?"),
            (C, "One of them has just smashed his front window. He must be terrified in there."),
            (H, "Can you describe any of them?"),
            (C, "One's got a red jacket on. The others are all in black."),
            (H, "Officers are being sent to Kiln Court. Stay inside and don't go out to them."),
        ],
        "must_hear": {H: ["staffordshire police", "where's the emergency|where is the emergency", "how many",
                          "still throwing", "describe", "officers", "stay inside"],
                      C: ["eighty four|84", "on his own", "wheelchair", "worried"]},
    },
    {
        "id": "u13_no_force_dv_ignored",
        "notes": "greeting fail (offers help, never names the force); vulnerability fail and empathy fail "
                 "(the caller's ex has been threatening her and she is frightened; the handler asks about "
                 "CCTV); 101 answered after 150 s",
        "meta": {"started_at": "2026-12-02T14:27:40+00:00", "call_type": "101", "area": "Biddulph",
                 "handler_id": "H5023", "answer_delay_s": 150.0},
        "voices": {H: "joe-light", C: "heart-deep"},
        "expected": verdicts(greeting="fail", vulnerability="fail", empathy="fail", recap="fail",
                             answer_time="fail"),
        "script": [
            (H, "Good afternoon, how can I help?"),
            (C, "Hi. My car's been scratched again outside my flat in Biddulph. I know it's my ex. He's been "
                "threatening me for weeks, and I'm frightened to go out."),
            (H, "Mm, okay.", during(3.4)),                     # backchannel
            (H, "Okay. When did you notice the scratches?"),
            (C, "This morning, when I went out to go to work."),
            (H, "Right. Is there any CCTV on the street?"),
            (C, "There's a camera on the corner shop."),
            (H, "Okay. Your reference is S T nine three zero five, and an officer will call round to look at "
                "the car on Saturday."),
            (C, "Okay, thanks."),
        ],
        "must_hear": {H: ["good afternoon", "how can i help", "scratches", "cctv", "reference",
                          "call round|call around"],
                      C: ["my ex", "threatening me", "frightened"]},
    },
    {
        "id": "u14_phone_number_repeat",
        "notes": "repeated_questions fail ('what's your date of birth?' then 'when were you born?'); next_steps "
                 "fail: asks for a number to call and says goodbye, no next steps",
        "meta": {"started_at": "2026-12-02T12:44:08+00:00", "call_type": "101", "area": "Tamworth",
                 "handler_id": "H4118", "answer_delay_s": 35.0},
        "voices": {H: "heart", C: "joe"},
        "expected": verdicts(repeated_questions="fail", next_steps="fail", recap="fail"),
        "script": [
            (H, "Staffordshire Police, what can I help you with?"),
            (C, "Hi. Somebody's been using my debit card. There are three payments I don't recognise, all from "
                "a petrol station in Tamworth."),
            (H, "Okay. Can I take your full name, please?"),
            (C, "It's Daniel Price."),
            (H, "Thank you. And what's your date of birth?"),
            (C, "The twelfth of March, nineteen eighty eight."),
            (H, "Right. Have you told your bank yet?"),
            (C, "Yes, they've cancelled it."),
            (H, "Good. And when were you born, sorry?"),
            (C, "The twelfth of March, eighty eight."),
            (H, "Okay. What's a good number to call you on?"),
            (C, "Oh seven nine eight one, four four two, six one six."),
            (H, "Thank you. That's everything from me. Bye."),
        ],
        "must_hear": {H: ["staffordshire police", "help you with", "date of birth", "when were you born",
                          "number to call"],
                      C: ["debit card", "petrol station", "cancelled it|canceled it"]},
    },
    {
        "id": "u15_injured_asked_twice",
        "notes": "repeated_questions fail: 'Is anyone injured?' and later 'Has anybody been hurt?' (the caller "
                 "says 'I told you'); a robbery at a shop, officers and ambulance sent",
        "meta": {"started_at": "2026-12-02T17:09:51+00:00", "call_type": "999", "area": "Cheadle",
                 "handler_id": "H2210", "answer_delay_s": 4.0},
        "voices": {H: "joe-steady", C: "heart-bright"},
        "expected": verdicts(repeated_questions="fail", recap="fail"),
        "script": [
            (H, "Staffordshire Police, what's the emergency?"),
            (C, "I'm at the Co-op on Station Street in Cheadle. A man's just grabbed money from the till and "
                "pushed the girl on the counter over."),
            (H, "Okay. Is anyone injured?"),
            (C, "She's sitting down. She banged her head on the shelf."),
            (H, "Right. Which way did the man go?"),
            (C, "He ran towards the bus station. White top, dark jeans."),
            (H, "Thank you. Has anybody been hurt?"),
            (C, "Yes, I told you, the girl from the till hit her head."),
            (H, "Okay, sorry. Officers and an ambulance are on their way to the Co-op now. Lock the shop door "
                "if you can."),
            (C, "Alright, will do."),
        ],
        "must_hear": {H: ["staffordshire police", "what's the emergency|what is the emergency", "anyone injured",
                          "which way", "anybody been hurt", "ambulance", "lock the shop door"],
                      C: ["pushed", "her head", "i told you"]},
    },
    {
        "id": "u16_similar_questions_duck",
        "notes": "repeated_questions pass: similar-looking but different questions (colour of the van / of his "
                 "jacket, which way he went / the van faced); informal_language fail: 'Right, me duck, which "
                 "way did he go?'",
        "meta": {"started_at": "2026-12-02T20:35:22+00:00", "call_type": "101", "area": "Lichfield",
                 "handler_id": "H3307", "answer_delay_s": 109.0},
        "voices": {H: "heart-deep", C: "joe-deep"},
        "expected": verdicts(informal_language="fail", recap="fail"),
        "script": [
            (H, "Hello, you're through to Staffordshire Police. How can I help?"),
            (C, "Hi. A man in a van has been going along my street, trying the doors of parked cars. I've got "
                "him on my camera."),
            (H, "Okay. What colour was the van?"),
            (C, "White, with a roof rack on top."),
            (H, "And what colour was his jacket?"),
            (C, "Blue, with the hood up."),
            (H, "Right, me duck, which way did he go?"),
            (C, "He turned left at the end of the road, towards Lichfield."),
            (H, "And which way was the van facing when it was parked?"),
            (C, "Towards the main road."),
            (H, "Thanks. I'll put this out to the patrols in the area, and someone will call you back tonight "
                "for the camera footage."),
            (C, "Cheers."),
        ],
        "must_hear": {H: ["staffordshire police", "how can i help", "colour was the van|color was the van",
                          "colour was his jacket|color was his jacket", "duck", "which way did he go",
                          "which way was the van", "call you back"],
                      C: ["doors of parked cars", "roof rack"]},
    },
    {
        "id": "u17_talked_over",
        "notes": "listening fail: the handler talks over the caller three times (1.0-1.2 s before the caller's "
                 "turn ends), the last opening with 'Good thinking' and going on; an 'Okay.' backchannel",
        "meta": {"started_at": "2026-12-02T19:12:03+00:00", "call_type": "101", "area": "Burntwood",
                 "handler_id": "H2210", "answer_delay_s": 52.0},
        "voices": {H: "joe-steady", C: "heart-deep"},
        "expected": verdicts(listening="fail", recap="fail"),
        "script": [
            (H, "Staffordshire Police, good morning, how can I help?"),
            (C, "Morning. There's a car that's been sitting outside my house for over a week now. The back "
                "window's been smashed, and there's a pile of letters on the front seat."),
            (H, "Okay.", during(3.0)),                     # backchannel
            (H, "Which road are you on?", over(1.2)),      # interruption 1
            (C, "Sandy Lane in Burntwood, right opposite the post box. I've knocked on a few doors, but "
                "nobody knows whose it is."),
            (H, "Right, and are the doors locked?", over(1.2)),              # interruption 2
            (C, "I haven't tried them. I didn't want to touch it, in case it's been used in a crime."),
            (H, "Good thinking. Leave it alone, I'm running the number plate through our system now.", over(1.0)),
            (C, "Oh, right. Is it stolen, then?"),
            (H, "It is, I'm afraid. Thanks for flagging it up. It was reported stolen in Walsall on Monday. "
                "An officer will come and look at it this afternoon, and we'll get it taken away."),
            (C, "Blimey. Okay, thanks."),
        ],
        "must_hear": {H: ["staffordshire police", "how can i help", "which road", "doors locked",
                          "number plate", "reported stolen", "officer will come"],
                      C: ["letters on the front seat|front seat", "sandy lane", "used in a crime"]},
    },
    {
        "id": "u18_talked_over_999",
        "notes": "listening fail: the handler talks over the caller twice; acknowledgement fail: no "
                 "acknowledgement at all; opening 'Staffordshire Police. Where are you, and what's happened?'",
        "meta": {"started_at": "2026-12-02T15:56:44+00:00", "call_type": "999", "area": "Stafford",
                 "handler_id": "H4118", "answer_delay_s": 8.0},
        "voices": {H: "heart", C: "joe"},
        "expected": verdicts(listening="fail", acknowledgement="fail", recap="fail"),
        "script": [
            (H, "Staffordshire Police. Where are you, and what's happened?"),
            (C, "I'm in the car park at Stafford station. Someone's smashing the windows of the cars with a "
                "hammer, right now, and there are people walking past."),
            (H, "What does he look like?", over(1.1)),                       # interruption 1
            (C, "Big guy, bald head, black puffer jacket. He's moving along the row of cars towards the exit."),
            (H, "Has he still got the hammer in his hand?", over(1.1)),      # interruption 2
            (C, "He has, he's swinging it about and shouting at people."),
            (H, "Officers are on their way. Don't go near him. Stay in your car with the doors locked."),
            (C, "Okay."),
        ],
        "must_hear": {H: ["staffordshire police", "where are you", "what does he look like", "still got the hammer",
                          "on their way", "doors locked"],
                      C: ["car park", "hammer", "puffer jacket"]},
    },
    {
        "id": "u19_late_999_well_handled",
        "notes": "a well-handled 999 burglary (empathy after 'terrified', backchannel 'Okay.', patrol sent, "
                 "recap 'going back over it' + check) answered after 16 s: answer_time fail only",
        "meta": {"started_at": "2026-12-02T22:51:37+00:00", "call_type": "999", "area": "Kidsgrove",
                 "handler_id": "H5023", "answer_delay_s": 16.0},
        "voices": {H: "joe-light", C: "heart-bright"},
        "expected": verdicts(empathy="pass", answer_time="fail"),
        "script": [
            (H, "Staffordshire Police, what's the address, and what's happening there?"),
            (C, "Six Cherry Tree Walk, Kidsgrove. I've come home and my back door's been kicked in. I think "
                "they might still be inside, and I'm terrified."),
            (H, "Okay.", during(2.6)),                     # backchannel
            (H, "Oh, that must be awful. Where are you right now?"),
            (C, "I'm in my car on the drive."),
            (H, "That's the best place. Stay in the car with the doors locked. I've got a patrol coming to "
                "you now."),
            (C, "Thank you. I can't stop shaking."),
            (H, "I know, you're doing brilliantly. Have you seen anyone come out?"),
            (C, "No, no one."),
            (H, "So, going back over it. A patrol is coming to Cherry Tree Walk, and you stay locked in the "
                "car until they knock on your window. Are you okay with that?"),
            (C, "Yes. Thank you."),
        ],
        "must_hear": {H: ["staffordshire police", "address", "awful", "patrol", "doors locked|door's lock|doors lock",
                          "going back over it", "okay with that|ok with that"],
                      C: ["kicked in", "terrified", "shaking"]},
    },
]
