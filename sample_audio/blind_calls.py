"""The blind calls: measuring set 2, twenty synthetic Staffordshire Police calls written to sample_audio/blind/.

    python sample_audio/make_samples.py --set blind            # blind/NAME.wav, NAME.truth.json, manifest.csv
    python sample_audio/make_samples.py --verify --set blind   # tiny.en: word error rate of every turn

Why a second measuring set: the nineteen unseen calls have been looked at, and their errors are listed in the
docs, so they no longer measure calls nobody tuned on. These twenty were written blind: from the panel's
questions and the definitions in sample_audio/README.md only, without reading any rule pack, intent
exemplar, indicator code or benchmark data, and without ever running callqa (or any other scorer) on them.
Each `expected` verdict is what the standard means for the script's intent; make_samples.py checks only
their timing (durations, overlaps, silences and their levels, caller speech per third against the 4 s
acknowledgement margin), never their words against a rule pack. Do not add their phrases to a rule pack,
and do not change a script or a verdict because callqa disagrees with it: a disagreement is a measurement.

Same machinery as UNSEEN_CALLS in unseen_calls.py (turn tuples, pause / over / during, verdicts, "voices",
"notes"); no "must_hear": --verify for this set checks every turn on its own channel instead.
"""

from __future__ import annotations

from make_samples import C, H, NA, during, over, pause, verdicts
from unseen_calls import VOICES  # the seven voice variants of the two bundled models

# What a panel member hears as the handler acknowledging the caller; used only for the timing margins of the
# acknowledgement verdict (make_samples.timing_checks): each third where the caller talks clearly holds one of
# ACKNOWLEDGEMENTS (pass) or clearly holds none of these nor of the borderline words (fail).
ACKNOWLEDGEMENTS = ["okay", "ok", "right", "alright", "all right", "thank you", "thanks", "i understand",
                    "i see", "got it", "of course", "no problem", "understood", "fair enough", "sorry to hear",
                    "i am sorry", "i am so sorry", "that must be", "i can hear", "brilliant", "great", "perfect",
                    "that is really helpful", "that is useful"]
BORDERLINE_ACKNOWLEDGEMENTS = ["yes", "yeah", "mm", "sure", "i know", "lovely", "cheers", "good", "no bother",
                               "not to worry", "that is fine", "will do"]

BLIND_CALLS = [
    {
        "id": "b01_shoplifting_no_force",
        "notes": "greeting fail: 'you're through to the police, how can I help?' never names the force; "
                 "otherwise well handled (CCTV collection, reference, 'to run through it' recap + check); "
                 "a 4 s caller-owned pause",
        "meta": {"started_at": "2026-12-09T14:12:40+00:00", "call_type": "101", "area": "Stafford",
                 "handler_id": "H4118", "answer_delay_s": 47.0},
        "voices": {H: "heart", C: "joe-steady"},
        "expected": verdicts(greeting="fail"),
        "script": [
            (H, "Hello, you're through to the police, how can I help?"),
            (C, "Hi, I manage the chemist on Market Street. A man has just walked out with a basket full of "
                "razors and perfume without paying."),
            (H, "Okay, thank you. Is he still nearby, or has he gone?"),
            (C, "He's gone. He got on a bike and rode off towards the bus station."),
            (H, "Right. Can you describe him for me?"),
            pause(4.0, owner=C, explained=False),          # the caller thinks back
            (C, "Tall, grey hoodie, black tracksuit bottoms, and a red rucksack."),
            (H, "Thank you, that's really helpful. Have you got cameras in the shop?"),
            (C, "Yes, they cover the whole till area and the front door."),
            (H, "Great. An officer will come to the shop this afternoon to collect the footage. "
                "Your crime reference is S T four two nine one."),
            (C, "That's fine."),
            (H, "So, to run through it: an officer will visit this afternoon for the footage, and you've got "
                "your reference. Is there anything you're not sure about?"),
            (C, "No, that's all clear. Thanks."),
        ],
    },
    {
        "id": "b02_missing_teen_safeguarded",
        "notes": "vulnerability pass: a 14-year-old who has been self-harming is missing; the handler asks "
                 "whether she has talked of hurting herself and what she has with her; empathy right after "
                 "'I'm terrified'; a 12 s silence announced before it ('I'll go quiet ... while I type'); "
                 "999 opening 'Tell me where you are and what's going on.'",
        "meta": {"started_at": "2026-12-09T16:41:05+00:00", "call_type": "999", "area": "Stoke-on-Trent",
                 "handler_id": "H2210", "answer_delay_s": 3.0},
        "voices": {H: "heart-deep", C: "joe"},
        "expected": verdicts(empathy="pass", vulnerability="pass"),
        "script": [
            (H, "Hello, Staffordshire Police. Tell me where you are and what's going on."),
            (C, "I'm at forty Beech Avenue in Hanley. My daughter is fourteen and she hasn't come home from "
                "school. She's been self harming lately, and I'm terrified."),
            (H, "Thank you for telling me. That must be incredibly frightening, and you've done the right thing "
                "calling us. "
                "Has she said anything about wanting to hurt herself today?"),
            (C, "Not today, but she was really low last night."),
            (H, "Okay. Does she have her phone or any medication with her?"),
            (C, "Her phone, yes. It goes straight to voicemail."),
            (H, "Right. I'm putting her details out to the patrols now, so I'll go quiet for a few seconds "
                "while I type."),
            pause(12.0, owner=H, explained=True),
            (H, "Thanks for waiting. Officers are heading to her school and the park, and one will come to "
                "sit with you."),
            (C, "Thank you."),
            (H, "So just to go over it: patrols are searching, an officer is coming to you, and if she comes "
                "home, ring us. Are you clear on that?"),
            (C, "Yes. Thank you."),
        ],
    },
    {
        "id": "b03_dog_attack_talked_over",
        "notes": "listening fail: the handler talks over the bitten caller three times (1.0-1.2 s before his "
                 "turn ends; two open with 'Okay' / 'Right' and go on); empathy pass ('I'm so sorry that's "
                 "happened' after 'I'm panicking'); recap fail: a summary with no check of understanding",
        "meta": {"started_at": "2026-12-09T11:27:18+00:00", "call_type": "999", "area": "Newcastle-under-Lyme",
                 "handler_id": "H3307", "answer_delay_s": 6.0},
        "voices": {H: "heart-bright", C: "joe-deep"},
        "expected": verdicts(listening="fail", empathy="pass", recap="fail"),
        "script": [
            (H, "Staffordshire Police emergency. What's happening, and where are you?"),
            (C, "I'm on the canal towpath near Brampton Park. A big dog has just gone for me and bitten my "
                "hand. It's bleeding a lot and I'm panicking."),
            (H, "Okay, I'm so sorry that's happened, you're doing the right thing. Is the dog still near you?"),
            (C, "It's about twenty metres away. The owner is trying to get a lead on it, but it keeps pulling "
                "away from him and barking at people on the path."),
            (H, "Okay, move further away from it if you can.", over(1.1)),
            (C, "I've gone up onto the bridge now. There's a woman with a pram coming the other way, and I've "
                "told her to wait."),
            (H, "Good. Is your hand still bleeding badly?", over(1.2)),
            (C, "Yes, I've wrapped my scarf round it, but it's soaking through and I feel a bit dizzy."),
            (H, "Right, keep pressing on it firmly.", over(1.0)),
            (C, "Okay, I'm pressing."),
            (H, "An ambulance and officers are on their way to the bridge now. Stay where you are, keep "
                "pressure on the bite, and keep away from the dog."),
            (C, "Okay."),
            (H, "So, just to go back over it: the ambulance and the police are coming to the bridge by "
                "Brampton Park, and you're staying put with pressure on your hand."),
            (C, "Yes."),
        ],
    },
    {
        "id": "b04_fraud_repeat_dementia_ignored",
        "notes": "repeated_questions fail: 'How much money did he transfer?' then 'what was the amount he "
                 "sent?' (the caller says he said that already); vulnerability fail and empathy fail: the "
                 "victim is 87, lives alone and has dementia, and the handler asks nothing about him; "
                 "referral to the fraud team, 'to sum that up' recap + check",
        "meta": {"started_at": "2026-12-09T10:03:51+00:00", "call_type": "101", "area": "Lichfield",
                 "handler_id": "H5023", "answer_delay_s": 88.0},
        "voices": {H: "heart", C: "joe-light"},
        "expected": verdicts(repeated_questions="fail", empathy="fail", vulnerability="fail"),
        "script": [
            (H, "Good afternoon, Staffordshire Police, how can I help you?"),
            (C, "Hello. I'm calling about my father. Someone rang him pretending to be from his bank and "
                "talked him into moving his savings."),
            (H, "Okay, thank you for calling. How much money did he transfer?"),
            (C, "Eight thousand pounds, in two payments yesterday afternoon."),
            (H, "Right. Do you know the name on the account it went to?"),
            pause(4.0, owner=C, explained=False),          # the caller thinks
            (C, "No. He's eighty seven, he lives on his own, and he has dementia, so he can't remember much "
                "of the call."),
            (H, "Okay. Which bank is he with?"),
            (C, "Lloyds. I've already rung them, and they've frozen his account."),
            (H, "Thank you, that's useful. And what was the amount he sent?"),
            (C, "Eight thousand. I said that already."),
            (H, "Okay. I'm passing this to our fraud team, and they'll contact you within three days. "
                "Your reference number is L F eight three one six."),
            (C, "Right."),
            (H, "So to sum that up: the fraud team will ring you within three days, and you've got the "
                "reference. Are you clear on all that?"),
            (C, "Yes, thanks."),
        ],
    },
    {
        "id": "b05_road_rage_pal_silence",
        "notes": "informal_language fail: 'Right pal, did you manage ...' (a verb follows the term) and 'No "
                 "bother, pal.'; unexplained_silence fail: after the caller's answer the handler says 'Okay.' "
                 "and goes quiet for 13 s, then carries on; next steps (an officer will ring, reference) "
                 "but no check of understanding",
        "meta": {"started_at": "2026-12-09T08:49:22+00:00", "call_type": "101", "area": "Tamworth",
                 "handler_id": "H2210", "answer_delay_s": 33.0},
        "voices": {H: "heart-deep", C: "joe-steady"},
        "expected": verdicts(informal_language="fail", unexplained_silence="fail", recap="fail"),
        "script": [
            (H, "Hello, Staffordshire Police, how can I help?"),
            (C, "A van driver just followed me for two miles, flashing his lights, and then he got out at the "
                "traffic lights and kicked my car door."),
            (H, "Right pal, did you manage to get his number plate?"),
            (C, "Only part of it. It started with Y R seven one, and it was a white van with a ladder on the "
                "roof."),
            (H, "Okay."),
            pause(13.0, owner=H, explained=False),
            (H, "Right. Which way did he go after that?"),
            (C, "He turned off towards the retail park on the ring road."),
            (H, "Thank you. An officer will give you a ring tomorrow to take a statement, and your reference "
                "is T W five five zero two."),
            (C, "Okay, thanks."),
            (H, "No bother, pal. Bye now."),
        ],
    },
    {
        "id": "b06_noise_silence_late",
        "notes": "greeting fail: 'Hi, police, go ahead.' (no force name); unexplained_silence fail: 13 s of "
                 "silence after the caller has answered, broken by the caller ('Have I lost you?'); "
                 "next_steps fail: 'thanks for letting us know, bye'; a 4 s caller-owned pause; 101 "
                 "answered after 165 s",
        "meta": {"started_at": "2026-12-09T01:07:33+00:00", "call_type": "101", "area": "Stoke-on-Trent",
                 "handler_id": "H4118", "answer_delay_s": 165.0},
        "voices": {H: "heart-bright", C: "joe"},
        "expected": verdicts(greeting="fail", unexplained_silence="fail", next_steps="fail", recap="fail",
                             answer_time="fail"),
        "script": [
            (H, "Hi, police, go ahead."),
            (C, "Hi. The people in the flat above me have had music blasting since ten o'clock, and it's now "
                "gone one in the morning."),
            (H, "Okay. What's the address?"),
            (C, "Flat two, thirty one Victoria Road, in Fenton."),
            (H, "Thank you. Have you spoken to them about it?"),
            pause(4.0, owner=C, explained=False),          # the caller thinks
            (C, "I knocked once, but nobody came to the door."),
            pause(13.0, owner=H, explained=False),         # the caller has answered: the handler's silence
            (C, "Hello? Have I lost you?"),
            (H, "No, I'm here. Is it just music, or is there shouting as well?"),
            (C, "Just music. Really loud bass, the whole ceiling's shaking."),
            (H, "Okay, thanks for letting us know. Bye."),
        ],
    },
    {
        "id": "b07_stalking_ignored_no_ack",
        "notes": "vulnerability fail and empathy fail: the caller says his ex, who was violent, has been "
                 "following him for weeks and he is scared to go out; the handler asks only about the "
                 "damaged car; acknowledgement fail: a businesslike handler who never acknowledges; an "
                 "officer will call, crime number, 'to summarise' recap + check",
        "meta": {"started_at": "2026-12-09T19:55:10+00:00", "call_type": "101", "area": "Burton upon Trent",
                 "handler_id": "H3307", "answer_delay_s": 64.0},
        "voices": {H: "heart", C: "joe-deep"},
        "expected": verdicts(acknowledgement="fail", empathy="fail", vulnerability="fail"),
        "script": [
            (H, "Hello, Staffordshire Police, how can I help?"),
            (C, "Hi. Somebody has scratched the whole side of my car with a key while it was parked outside "
                "my work on Station Street."),
            (H, "When did you notice the damage?"),
            (C, "About an hour ago, when I finished my shift. I think it was my ex. She was violent when we "
                "were together, she's been following me home from work for weeks, and I'm scared to go out "
                "on my own."),
            (H, "What make of car is it?"),
            (C, "It's a blue Ford Focus. There's a long scratch down both doors on the driver's side, and "
                "the mirror has been bent back."),
            (H, "Is there any camera on Station Street?"),
            (C, "There's one on the bank across the road, and another one on the corner by the taxi rank."),
            (H, "An officer will call you tomorrow to arrange a time to look at the car. Your crime number "
                "is B T six four seven one."),
            (C, "Fine."),
            (H, "So, to summarise: an officer will ring tomorrow about the car, and you have your crime "
                "number. Is that clear?"),
            (C, "Yes."),
        ],
    },
    {
        "id": "b08_hate_crime_empathy_before",
        "notes": "empathy fail: 'I'm sorry that's happened to you' comes when the graffiti is reported, before "
                 "the caller says he is shaken up, can't sleep and is frightened for his family; after that "
                 "the handler only asks questions; officer visit, reference, 'to recap' + check",
        "meta": {"started_at": "2026-12-09T09:36:44+00:00", "call_type": "101", "area": "Leek",
                 "handler_id": "H5023", "answer_delay_s": 52.0},
        "voices": {H: "heart-deep", C: "joe-light"},
        "expected": verdicts(empathy="fail"),
        "script": [
            (H, "Hello, Staffordshire Police, how can I help you today?"),
            (C, "Hi. Someone has sprayed racist graffiti across the front window of my shop on Derby Street "
                "overnight."),
            (H, "Oh, I'm sorry that's happened to you. Okay, is the graffiti still there now?"),
            (C, "Yes, I haven't touched it. I've taken photos of it."),
            (H, "Thank you. Has anything like this happened before?"),
            (C, "Twice this month. Honestly, I'm really shaken up. I can't sleep, and I'm frightened they'll "
                "come back for my family."),
            (H, "What time did you close the shop last night?"),
            (C, "About eight o'clock, same as always."),
            (H, "Right. And do you have a camera outside?"),
            (C, "Just a doorbell camera. I can send you the clip."),
            (H, "Okay. We're recording this as a hate crime. An officer will visit the shop today, and your "
                "reference number is L K three nine eight zero."),
            (C, "Okay."),
            (H, "So, to recap: an officer is coming to the shop today, and you've got your reference. "
                "Does that all make sense?"),
            (C, "Yes."),
        ],
    },
    {
        "id": "b09_flooded_road_late_999",
        "notes": "answer_time fail only: a well-handled 999 call (a driver trapped in flood water; empathy "
                 "after 'I'm really worried'; fire service and police sent, safety advice; 'just to confirm' "
                 "+ 'Do you understand?'), answered after 19 s; a 4 s caller-owned pause",
        "meta": {"started_at": "2026-12-09T17:18:29+00:00", "call_type": "999", "area": "Uttoxeter",
                 "handler_id": "H4118", "answer_delay_s": 19.0},
        "voices": {H: "heart-bright", C: "joe-steady"},
        "expected": verdicts(empathy="pass", answer_time="fail"),
        "script": [
            (H, "Staffordshire Police, what's the location of your emergency?"),
            (C, "I'm on Dove Lane, just outside Rocester. A car has driven into the flood water under the "
                "railway bridge and it's stuck, with the driver still inside. I'm really worried about him."),
            (H, "Okay, I can hear how worried you are, and you've done the right thing calling. Is the water "
                "still rising?"),
            (C, "I think so. It's halfway up the doors now."),
            (H, "Okay. Can you see whether the driver is moving?"),
            pause(4.0, owner=C, explained=False),          # the caller looks
            (C, "Yes, he's waving at me through the window."),
            (H, "Right. The fire service and police are on their way now. Please don't go into the water "
                "yourself. Stay on the bank and keep watching him."),
            (C, "Okay, I will."),
            (H, "So, just to confirm: help is on the way to the bridge on Dove Lane, and you're staying out of "
                "the water. Do you understand?"),
            (C, "Yes, I understand."),
        ],
    },
    {
        "id": "b10_elderly_neighbour_safeguarded",
        "notes": "vulnerability pass: a neighbour of 91 who lives alone has not been seen for three days; the "
                 "handler asks about his health and who has a key; empathy after 'I'm worried'; a 12 s "
                 "caller-owned pause while the caller goes to look, as asked; welfare check, 'to go "
                 "through it again' + check",
        "meta": {"started_at": "2026-12-09T10:44:02+00:00", "call_type": "101", "area": "Biddulph",
                 "handler_id": "H2210", "answer_delay_s": 40.0},
        "voices": {H: "heart", C: "joe"},
        "expected": verdicts(empathy="pass", vulnerability="pass"),
        "script": [
            (H, "Good morning, Staffordshire Police, how can I help?"),
            (C, "Morning. I'm worried about my neighbour, Mr Fletcher. He's ninety one and lives on his own, "
                "and I haven't seen him for three days."),
            (H, "Thank you for calling, that must be worrying. Does he have any health problems that you "
                "know of?"),
            (C, "He's got a bad heart, and he had a fall in the summer."),
            (H, "Okay. Does anyone have a key, or does he have family nearby?"),
            (C, "His son lives in Leeds. I don't think anyone local has a key."),
            (H, "Right. Could you look across and tell me whether his curtains are open?"),
            (C, "Hold on, I'll go to the front window."),
            pause(12.0, owner=C, explained=True),          # the caller goes to look, as asked
            (C, "They're still closed, and there's post sticking out of the letterbox."),
            (H, "Thank you. I'm sending officers round for a welfare check now, and they may need to force "
                "the door."),
            (C, "Okay."),
            (H, "So, to go through it again: officers are on their way to check on Mr Fletcher, and they'll "
                "let you know what they find. Have you understood all of that?"),
            (C, "Yes, thank you."),
        ],
    },
    {
        "id": "b11_drunk_driver_honey_lane",
        "notes": "informal_language pass with a trap: the handler says 'Honey Lane' (a street) three times; "
                 "999 opening 'what's the emergency?'; an 'Okay.' backchannel; a 4 s caller-owned pause; "
                 "advice and a patrol sent; 'let me go over it' + 'Is that clear?'",
        "meta": {"started_at": "2026-12-09T23:12:57+00:00", "call_type": "999", "area": "Rugeley",
                 "handler_id": "H5023", "answer_delay_s": 4.0},
        "voices": {H: "joe", C: "heart-bright"},
        "expected": verdicts(),
        "script": [
            (H, "Good evening, Staffordshire Police, what's the emergency?"),
            (C, "There's a car in front of me swerving all over the road. It's nearly gone into the hedge "
                "twice, and I think the driver is drunk."),
            (H, "Okay, thank you. Where are you now?"),
            (C, "We're on the Hednesford Road coming into Rugeley, and he's just turned left onto Honey Lane, "
                "and now he's going really slowly."),
            (H, "Okay.", during(2.5)),
            (H, "Right, so he's on Honey Lane now. What colour is the car?"),
            pause(4.0, owner=C, explained=False),          # the caller looks
            (C, "Silver, a small hatchback. I can't read the plate from here."),
            (H, "That's fine. Please don't follow him or try to stop him. I've got a patrol car heading to "
                "Honey Lane now."),
            (C, "Okay, I'll pull over."),
            (H, "Thank you. So, let me go over it: a silver hatchback, driving badly, a patrol is on its way "
                "to find it, and you're pulled over and not following. Is that clear?"),
            (C, "Yes, that's clear."),
        ],
    },
    {
        "id": "b12_parcel_theft_no_next_steps",
        "notes": "next_steps fail: the handler asks for the courier's reference number, the description and "
                 "the direction, then 'that's everything I need for now ... goodbye'; a 4 s caller-owned "
                 "pause",
        "meta": {"started_at": "2026-12-09T13:21:16+00:00", "call_type": "101", "area": "Kidsgrove",
                 "handler_id": "H3307", "answer_delay_s": 58.0},
        "voices": {H: "joe-steady", C: "heart"},
        "expected": verdicts(next_steps="fail", recap="fail"),
        "script": [
            (H, "Hello, Staffordshire Police, how can I help?"),
            (C, "Hi. A parcel was delivered to my doorstep at lunchtime, and my doorbell camera shows a man "
                "picking it up and walking off with it."),
            (H, "Okay. What was in the parcel?"),
            (C, "A pair of headphones, about a hundred and twenty pounds."),
            (H, "Right. Did the courier give you a reference number for the delivery?"),
            (C, "Yes, it's on the email. It's K G four four one nine."),
            (H, "Thank you. Can you see the man's face on the video?"),
            pause(4.0, owner=C, explained=False),          # the caller checks the clip
            (C, "Not really, he kept his hood up. He was wearing a green coat and carrying a black bag."),
            (H, "Okay, and which direction did he walk off in?"),
            (C, "Towards the main road, past the school."),
            (H, "Right, that's everything I need for now. Thanks for calling, goodbye."),
            (C, "Oh. Okay, bye."),
        ],
    },
    {
        "id": "b13_burglary_love_repeat",
        "notes": "informal_language fail: 'Okay love, has anything been taken?' (a verb follows the term) and "
                 "'Thank you, love.'; repeated_questions fail: 'has anything been taken?' then 'did they "
                 "steal anything?' (the caller says 'Like I said'); officer and forensics, crime number, "
                 "'just to recap' + check",
        "meta": {"started_at": "2026-12-09T18:05:48+00:00", "call_type": "101", "area": "Stafford",
                 "handler_id": "H4118", "answer_delay_s": 71.0},
        "voices": {H: "joe-light", C: "heart-deep"},
        "expected": verdicts(informal_language="fail", repeated_questions="fail"),
        "script": [
            (H, "Good afternoon, Staffordshire Police, how can I help?"),
            (C, "Hello. I've just got back from work, and the back door of my house has been forced open."),
            (H, "Okay love, has anything been taken?"),
            (C, "I'm not sure yet. The drawers in the bedroom have all been pulled out, and my laptop isn't "
                "on the table."),
            (H, "Right. Are you inside the house now?"),
            (C, "No, I'm standing out on the drive."),
            (H, "Good, stay outside for now. What's your address?"),
            (C, "Twelve Mill Bank, in Stafford."),
            (H, "Thank you, love. And did they steal anything?"),
            (C, "Like I said, my laptop's gone, and maybe some jewellery."),
            (H, "Okay. An officer will come round within the hour, and someone from forensics will look at "
                "the door tomorrow. Your crime number is S F two seven one eight."),
            (C, "Thank you."),
            (H, "So just to recap: an officer is coming within the hour, forensics tomorrow, and you're "
                "staying outside until then. Is everything clear?"),
            (C, "Yes, that's clear."),
        ],
    },
    {
        "id": "b14_lorry_no_greeting_no_ack",
        "notes": "greeting fail: the 999 handler says only 'Staffordshire Police.' (no offer, no question); "
                 "acknowledgement fail: no acknowledgement at all while the caller describes the scene; "
                 "next steps (officers and highways, safety advice) but no recap and no check",
        "meta": {"started_at": "2026-12-09T07:52:31+00:00", "call_type": "999", "area": "Tamworth",
                 "handler_id": "H2210", "answer_delay_s": 5.0},
        "voices": {H: "joe-deep", C: "heart"},
        "expected": verdicts(greeting="fail", acknowledgement="fail", recap="fail"),
        "script": [
            (H, "Staffordshire Police."),
            (C, "Hi, a lorry has just shed its load of scaffolding poles across both lanes of the main road "
                "into Tamworth. Cars are swerving round them."),
            (H, "Is anyone injured?"),
            (C, "No, I don't think so. Everyone has stopped, and a couple of drivers have put their hazard "
                "lights on."),
            (H, "Which way were you travelling?"),
            (C, "Towards Lichfield. The lorry driver has pulled onto the verge, and he's walking back to look "
                "at the poles."),
            (H, "Is the road completely blocked?"),
            (C, "The inside lane is just about open, but people are having to drive over bits of metal to get "
                "past."),
            (H, "Officers and highways are on the way. Stay in your car, well off the road, and don't try to "
                "move anything."),
            (C, "Will do."),
        ],
    },
    {
        "id": "b15_car_theft_postcode_talked_over",
        "notes": "repeated_questions fail: 'What's the postcode there?' then 'what's the postcode of the car "
                 "park?' (the caller says 'Like I said'); listening fail: the handler talks over the caller "
                 "twice (1.0-1.2 s before the turn ends); advice, officer call, crime number, 'just to "
                 "recap' + check",
        "meta": {"started_at": "2026-12-09T20:14:09+00:00", "call_type": "101", "area": "Burntwood",
                 "handler_id": "H5023", "answer_delay_s": 26.0},
        "voices": {H: "joe", C: "heart-deep"},
        "expected": verdicts(repeated_questions="fail", listening="fail"),
        "script": [
            (H, "Hello, Staffordshire Police, how can I help?"),
            (C, "Hi. Someone has smashed the passenger window of my car and taken my work bag off the seat "
                "while I was in the gym."),
            (H, "Okay. Where's the car parked?"),
            (C, "In the car park behind the leisure centre on Church Road in Burntwood, right next to the "
                "bottle bank by the entrance."),
            (H, "What's the postcode there?", over(1.2)),
            (C, "I don't know it. I can look it up on my phone if you need it, just give me a second."),
            (H, "No, leave it. What was in the bag?", over(1.0)),
            (C, "My purse, my work laptop, and the keys to my flat."),
            (H, "Right. And what's the postcode of the car park?"),
            (C, "Like I said, I don't know it."),
            (H, "Okay. Cancel your bank cards now, and an officer will call you this evening. Your crime "
                "number is B W eight one four four."),
            (C, "Thank you."),
            (H, "So just to recap: cancel the cards, an officer will ring this evening, and you've got your "
                "crime number. Is that clear?"),
            (C, "Yes, thanks."),
        ],
    },
    {
        "id": "b16_online_harassment_buddy_ignored",
        "notes": "informal_language fail: 'Okay buddy, can you tell me ...' (a verb follows the term) and "
                 "'Thanks buddy'; vulnerability fail and empathy fail: the caller says she has been having "
                 "thoughts of hurting herself and the handler asks how many accounts; next steps (e-mail the "
                 "screenshots, the online crime team will call) but no recap and no check",
        "meta": {"started_at": "2026-12-09T21:30:55+00:00", "call_type": "101", "area": "Leek",
                 "handler_id": "H3307", "answer_delay_s": 95.0},
        "voices": {H: "joe-steady", C: "heart-bright"},
        "expected": verdicts(informal_language="fail", empathy="fail", vulnerability="fail", recap="fail"),
        "script": [
            (H, "Hello, Staffordshire Police, how can I help?"),
            (C, "Hi. Someone I used to work with keeps sending me nasty messages on Instagram, from a "
                "different account every time I block him."),
            (H, "Okay buddy, can you tell me his name?"),
            (C, "Ryan Cole. He's posted my home address online as well."),
            (H, "Right. When did the messages start?"),
            (C, "About two months ago. It's got so bad that I've been having thoughts of hurting myself."),
            (H, "How many accounts has he used?"),
            (C, "Five or six. I've kept screenshots of all of them."),
            (H, "Okay. E-mail the screenshots to the address I'll text you, and our online crime team will "
                "call you on Monday."),
            (C, "Okay."),
            (H, "Thanks buddy, bye for now."),
        ],
    },
    {
        "id": "b17_party_traps_pass",
        "notes": "informal_language pass with traps: 'Mrs Darling' (a surname), 'your pal' (the caller's "
                 "friend), 'I'd love to say'; the caller's own 'my pal' does not count; repeated_questions "
                 "pass: 'What time did the party start?' / 'What time do they usually finish?'; a 12 s "
                 "silence announced before it ('there'll be a short pause on my end'); a 'Yeah.' "
                 "backchannel; a patrol, recap + check",
        "meta": {"started_at": "2026-12-09T22:38:14+00:00", "call_type": "101", "area": "Newcastle-under-Lyme",
                 "handler_id": "H2210", "answer_delay_s": 61.0},
        "voices": {H: "joe-light", C: "heart"},
        "expected": verdicts(),
        "script": [
            (H, "Good evening, Staffordshire Police, how can I help?"),
            (C, "Hi. My neighbour at number six is having another party, and people are shouting in the "
                "street and sitting on my wall."),
            (H, "Okay, thank you. Is that Mrs Darling's house at number six?"),
            (C, "Yes, it's her son really. He has his friends over while she's away, and they're playing "
                "music from a car."),
            (H, "Yeah.", during(2.5)),
            (H, "Right. What time did the party start?"),
            (C, "About nine. My pal from next door asked them to turn it down, but they just laughed at him."),
            (H, "Okay. I'll pull up the earlier reports for that address, so there'll be a short pause on my "
                "end."),
            pause(12.0, owner=H, explained=True),
            (H, "Thanks for waiting. What time do they usually finish?"),
            (C, "Usually around two in the morning."),
            (H, "Thank you. I'd love to say we can come now, but a patrol will drive past within the hour, "
                "and if your pal has any more trouble, he can ring us as well."),
            (C, "That's fine."),
            (H, "So, to run through it: a patrol will come by within the hour, and your pal can call us too. "
                "Is that all clear?"),
            (C, "Yes, thank you."),
        ],
    },
    {
        "id": "b18_dv_999_talked_over_no_empathy",
        "notes": "listening fail: the handler talks over the caller twice; empathy fail: a terrified caller "
                 "('please hurry') gets no empathy at all; vulnerability pass: domestic abuse, and the "
                 "handler asks about children, weapons and past violence; officers sent, stay on the line, "
                 "'to confirm' + check; 999 opening 'what's your emergency?'",
        "meta": {"started_at": "2026-12-09T23:47:36+00:00", "call_type": "999", "area": "Stoke-on-Trent",
                 "handler_id": "H4118", "answer_delay_s": 5.0},
        "voices": {H: "joe-deep", C: "heart-bright"},
        "expected": verdicts(listening="fail", empathy="fail", vulnerability="pass"),
        "script": [
            (H, "Good evening, Staffordshire Police, what's your emergency?"),
            (C, "It's my husband. He's been drinking, he's smashing up the kitchen, and he's threatened to "
                "hurt me. I've locked myself in the bathroom and I'm terrified."),
            (H, "Okay. What's your address?"),
            (C, "Nine Elm Grove, in Meir. Please hurry, I can hear him banging on the door and shouting my "
                "name."),
            (H, "Right, are there any children in the house?", over(1.1)),
            (C, "Yes, my son is asleep in his room across the landing. He's only six."),
            (H, "Okay. Does your husband have any weapons, or has he hurt you before tonight?"),
            (C, "He pushed me down the stairs last year, and I think he's got a knife from the kitchen, I "
                "heard the drawer."),
            (H, "Stay in the bathroom and keep the door locked.", over(1.0)),
            (C, "Okay."),
            (H, "Officers are on their way to Nine Elm Grove now. Stay on the line with me."),
            (C, "Okay."),
            (H, "So, to confirm: police are coming to Nine Elm Grove, your son is in his room, and you're "
                "staying locked in the bathroom on the line. Do you understand what I need you to do?"),
            (C, "Yes."),
        ],
    },
    {
        "id": "b19_converter_theft_explained_after",
        "notes": "unexplained_silence fail: after the caller's answer a 12 s handler silence, explained only "
                 "afterwards ('Okay, sorry about that, I was just searching the system ...'); 101 answered after "
                 "245 s; otherwise well handled (officer call, reference, 'to recap' + check)",
        "meta": {"started_at": "2026-12-09T08:21:47+00:00", "call_type": "101", "area": "Cheadle",
                 "handler_id": "H5023", "answer_delay_s": 245.0},
        "voices": {H: "joe", C: "heart"},
        "expected": verdicts(unexplained_silence="fail", answer_time="fail"),
        "script": [
            (H, "Good morning, Staffordshire Police, how can I help?"),
            (C, "Hi. Somebody has stolen the catalytic converter from my car overnight. It was parked on my "
                "drive on Tean Road."),
            (H, "Okay, thank you. What's the make and model of the car?"),
            (C, "It's a silver Toyota Prius."),
            (H, "Right. When did you last see the car in one piece?"),
            (C, "About ten last night, when I got back from work. This morning it sounded like a tractor when "
                "I started it."),
            pause(12.0, owner=H, explained=False),         # the caller has answered: the handler's silence
            (H, "Okay, sorry about that, I was just searching the system for similar thefts on your street."),
            (C, "Oh, right. Have there been others?"),
            (H, "There have been two this week, so thank you for reporting it. An officer will call you this "
                "afternoon, and your crime reference is C H five two six one."),
            (C, "Great, thanks."),
            (H, "So, to recap: an officer is ringing you this afternoon, and you've got your reference. Does "
                "that all make sense?"),
            (C, "Yes, thanks very much."),
        ],
    },
    {
        "id": "b20_abandoned_car_ack_early_only",
        "notes": "greeting fail: 'Morning, Staffordshire Police, Karen speaking.' (no offer of help); "
                 "acknowledgement fail: the handler acknowledges only in the first third, then asks bare "
                 "questions while the caller talks; next_steps fail: 'That's all I need. Bye.'",
        "meta": {"started_at": "2026-12-09T11:58:03+00:00", "call_type": "101", "area": "Rugeley",
                 "handler_id": "H3307", "answer_delay_s": 79.0},
        "voices": {H: "joe-steady", C: "heart-deep"},
        "expected": verdicts(greeting="fail", acknowledgement="fail", next_steps="fail", recap="fail"),
        "script": [
            (H, "Morning, Staffordshire Police, Karen speaking."),
            (C, "Hi. A car has been left in our street for three weeks now, with a flat tyre and the back "
                "window smashed in."),
            (H, "Okay, thank you. Which street is it on?"),
            (C, "Anson Street, outside number forty. It's a black Vauxhall Corsa."),
            (H, "Do you know whose car it is?"),
            (C, "No idea. Nobody on the street recognises it, and there's a pile of parking tickets on the "
                "dashboard."),
            (H, "Is there a number plate on it?"),
            (C, "Only on the back. The front one has been taken off, and the doors have been left "
                "unlocked."),
            (H, "When did you first see it there?"),
            (C, "About three weeks ago. It was fine at first, but now the tyres are flat and there's glass all "
                "over the pavement."),
            (H, "Is it blocking anyone's drive?"),
            (C, "Not quite, but people with prams are having to walk out into the road to get past it."),
            (H, "That's all I need. Bye."),
        ],
    },
]

assert len({c["id"] for c in BLIND_CALLS}) == len(BLIND_CALLS)
assert len({(c["voices"][H], c["voices"][C]) for c in BLIND_CALLS}) == len(BLIND_CALLS), "a pairing twice"
assert NA == "not_applicable"
