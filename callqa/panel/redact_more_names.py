"""More first names for the name rules (round five of issue 13, more in round six), read together with
the bundled callqa/panel/data/first_names*.txt by `redact_words._bundled_first_names`; and (round six)
surnames that are everyday words, read with callqa/panel/data/surnames.txt by `redact_words._surnames`.

Why: a call names people from many backgrounds, and a name said with no cue is found only when a
list knows it ("murdo at the next croft", "gaz from flat two"). Compiled by hand for callqa from
general knowledge of given names and their everyday short forms: Scottish and Gaelic, Welsh, Irish,
Cornish, Caribbean, West and East African, Somali, Arabic, Turkish, Iranian, South Asian, Polish,
Baltic, Romanian and other European, East Asian and newer British names. Names that are everyday
words ("paddy", "hyacinth") are read with care by redact_names like every other such name; very
short or very common words ("min", "reg", "can", "li") are left out, since in lower-case text a
word on this list counts as a name by itself.
"""

from __future__ import annotations

MORE_FIRST_NAMES = frozenset(w for line in """
# Scottish and Gaelic
murdo murdoch angus ewan euan calum ruaraidh ruairidh ruari alasdair alastair
torquil seonaidh catriona kenna ishbel una seona ailsa iona
senga shug shuggie tam tammy wullie rab rabbie jock dougie lorne gregor hector finlay
struan kerr innes mungo teenie
# Welsh
sioned siwan gwenllian gwenno nia eleri elin ffion catrin angharad bronwen
branwen mared manon lowri alys glenys gwyneth mair meinir nerys delyth eirlys ceri carys seren
heledd llinos tesni awen dai dewi emyr geraint gethin gwilym gwyn hywel huw iestyn
ifan ioan idris iolo llyr meirion owain osian prys rhodri sion steffan trystan wyn
aled alun arwel bleddyn cai carwyn cledwyn elwyn emlyn garmon gruffydd ianto ifor islwyn
# Irish
aisling clodagh dearbhla eimear eithne orla orlaith saoirse
una ailbhe aine brid brigid maeve nuala oonagh cathal
colm conall donal fergal fintan lorcan paddy peadar
shay tiernan turlough diarmuid darragh cian odhran rian paudie
# Cornish and northern English short forms
kerensa jago morwenna demelza loveday jory jowan piran kev gaz gazza dazza
macca jonno robbo stevo tommo deano gav gaz jonjo chaz
# Caribbean and older English
hyacinth clinton errol everton fitzroy linford
icilda merle myrtle pearline verna victor roland xavier julian basil crystal kendra destiny
claudette paulette beverly carlene cherelle tanisha
# West African
adekunle akosua chidinma
ekow funmilayo ijeoma kwaku
kwesi nana nnamdi olumide tayo temi temitope
yetunde babatunde bukola dayo nneka ebuka oge osagie osas
# East African and Somali
abdirahman abdullahi cawo deeqa faadumo fartun hibo
ilhan khadra mahad mohamed muna nimco saeed sahra ubah zakariya liban warsame abdikarim
jabril guled idil hamdi
# Arabic, Turkish, Kurdish, Iranian
amira fatma hussein
reem yousef zeynep murat
deniz elif aylin burak kerem serkan darius dariush parisa shirin farhad kaveh babak navid
roya soraya arash kourosh azadeh
# South Asian
aditi deepa devika
hema jayesh
navdeep parminder prakash
rekha
balwinder kulwinder narinder paramjit tejinder inderjit
rubina shahida shamima tasleem farzana rukhsana
# Polish, Lithuanian, Latvian, Romanian, other European
darius dainius egle gintare jurgita lina mantas marius paulius rasa
ruta valdas vytautas zivile andris janis liga ilze ionut alexandru cristina
dimitri nikolai
tatiana sergei joaquim rui tiago inês catarina luis
matteo giulia chiara lars sven bjorn anders astrid
# East and South East Asian
wei yan xiao mei ling ying chen zhen
duc hieu huong trang nguyet phuong quang hiroshi haruto sakura
joon
# Modern British given names
kayden kaiden brayden kian keegan kacey
lily-mae lacey-mae mia-rose evie-mae alfie-james tommy-lee lexi-mae jaxon jax kobe nevaeh
brooklyn harper summer-rose poppy-mae ruby-mae ellie-may darcie-may
# Round six: more of the same backgrounds and newer British names (none taken from a benchmark split)
oakley hallie esmae arlo ezra rowan ronnie frankie stevie bobbie lennie albie otis ralphie reuben
hafsa musa zayn zayan rayyan ayaan zara zahra inaya aliyah safiya sumaya halima hodan farhiya ikram sagal
nasra hamza bilal idris yahya imran irfan kamran faisal tariq nadia samira yasmin laila
priyanka pooja kavita sunita anjali neha ritu shreya arjun rohan vikram sanjay anil ravi
oliwia zofia maja kinga marta natalia weronika kasia bartek dawid grzegorz jacek wojtek
petru oleksandr olena oksana yulia iryna taras bohdan vlad radu sorin ionela andreea
mateo santiago camila lucia alejandro javier diego paolo francesco giorgio alessia
ruairi fionnuala dervla siobhan grainne aoibhinn cillian ronan fiachra tadhg
fraser ruaridh lachlan struan torin kenzie eilidh mhairi
jun hui xiaoming hao jia minh anh thanh tuan linh khanh
kemar shantelle shanice tyreke jamal deshawn marlon delroy leroy winston desmond marcia
chiamaka chidi obinna uchenna ifeoma ngozi adaeze kelechi femi segun bola dapo wale
kofi kojo yaw kwame ama akua abena adwoa esi efua afia yaa
tendai tatenda farai rudo chipo thandiwe sipho themba lindiwe
""".splitlines() if not line.startswith("#") for w in line.split())


# Surnames that are everyday words (trades, animals, places in the land, ranks), for the lower-case
# rules: after a first name such a word is read as the surname ("jonathan pike", "leanne carpenter"),
# as the bundled surnames.txt already does for Smith, Baker, Wood or Hill. Compiled by hand from
# general knowledge of common English surnames; colours, metals, foods and describing words ("black",
# "silver", "curry", "strong") are left out, since after a name they are far more often what follows
# it ("ryan black hoodie").
MORE_SURNAMES = frozenset("""
pike swan wolf crow drake hawk lamb bull buck rook nightingale sparrow finch wren peacock heron
butcher carpenter draper glover painter sawyer tanner thatcher weaver archer bowman chandler dyer
gardener hooper reeve abbot monk lord duke earl baron
brook fields lake rivers bush forest grove bridge bridges meadows rock cliff shore waters
rice snow winter summers cannon flint chalk cotton
""".split())
