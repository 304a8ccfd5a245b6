"""More first names for the name rules (round five of issue 13), read together with the bundled
callqa/panel/data/first_names*.txt by `redact_words._bundled_first_names`.

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
""".splitlines() if not line.startswith("#") for w in line.split())
