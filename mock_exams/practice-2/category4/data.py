"""Training data for Category 4: a news-articles file like the real exam's ``bbc-text.csv``.

The real file held 2,225 BBC news articles (2004-2005) in five categories, one a row, as
``category,text``: lower case, commas and quotes turned into spaces (``the us s tivo``), sentences
kept with their full stops. This module writes a file of the same form, generated from the exam
seed: every article is put together from sentence templates of its category and word lists, so the
categories share much of their vocabulary (people, places, numbers, "said", "year", "company",
"record", "deal"...) and the signal is spread over many words rather than one telling token.
About a fifth of the articles are cross-topic (the business of sport, technology policy in
politics, music downloads...): they mix sentences of a second category and bridging sentences that
belong to both, while keeping the category they were filed under, so the task is learnable but not
trivial.

The category counts follow the real file's (sport 511, business 510, politics 417, tech 401,
entertainment 386 of 2,225), fixed for the training part and for the rest of the file, so that a
label ``Tokenizer`` fitted on the labels numbers them as the real one did: sport 1, business 2,
politics 3, tech 4, entertainment 5.

NumPy and the standard library only: this runs in the exam engine, never with TensorFlow. The same
seed always gives the same bytes. ``grader.py`` uses :func:`generate` with another stream for the
hidden test articles, which are never written into the workspace.
"""

from __future__ import annotations

import bisect
import csv
import io
import re
from pathlib import Path

import numpy as np

FILE_NAME = "bbc-text.csv"
CATEGORIES = ("sport", "business", "politics", "tech", "entertainment")  # label-tokenizer order
# Rows per category, in CATEGORIES order: the training part (the starter's first 80 %) and the
# rest of the file, in the real file's proportions (511, 510, 417, 401, 386 of 2,225).
TRAINING_COUNTS = (368, 366, 300, 289, 277)  # 1,600 rows
VALIDATION_COUNTS = (92, 91, 75, 72, 70)  # 400 rows
TEST_COUNTS = (230, 229, 187, 180, 174)  # 1,000 hidden rows (grader.py)

CROSS_SHARE = 0.22  # share of cross-topic articles
BODY_MIN, BODY_MAX = 7, 15  # sentences after the headline
# Which second topic a cross-topic article takes, per category (weights).
PARTNERS: dict[str, dict[str, float]] = {
    "sport": {"business": 3, "politics": 1, "entertainment": 1.2, "tech": 0.4},
    "business": {"politics": 2.5, "tech": 2.5, "sport": 1.5, "entertainment": 1.5},
    "politics": {"business": 3, "tech": 1.8, "sport": 0.8, "entertainment": 0.8},
    "tech": {"business": 3, "politics": 1.5, "entertainment": 2, "sport": 0.4},
    "entertainment": {"business": 2, "tech": 2, "politics": 0.8, "sport": 1},
}
# Where the body sentences of an article come from.
PLAIN_MIX = {"own": 0.70, "generic": 0.26, "stray": 0.04}
CROSS_MIX = {"own": 0.42, "other": 0.28, "bridge": 0.14, "generic": 0.16}
CROSS_HEADLINE_FROM_OTHER = 0.3

WORKSPACE_STREAM = 0  # the training part of the file
TEST_STREAM = 1  # the hidden articles (grader.py)
VALIDATION_STREAM = 2  # the rest of the file

# An entry is "text" (weight 1) or ("text", weight). "{name}" expands the symbol ``name``;
# "{he}", "{his}", "{him}" agree with the last person chosen ("@m " or "@f " before a name).
Entry = str | tuple[str, float]


def _alts(text: str) -> list[Entry]:
    """Alternatives of equal weight, written "a | b | c" to keep the word lists compact."""
    return [item.strip() for item in text.split("|")]


GRAMMAR: dict[str, list[Entry]] = {
    # ------------------------------------------------------------------ shared by every topic
    "person": ["@m {first_m} {surname}", "@f {first_f} {surname}"],
    "man": ["@m {first_m} {surname}"],
    "woman": ["@f {first_f} {surname}"],
    "first_m": _alts(
        "james | david | michael | peter | john | paul | mark | andrew | richard | steven | tom | "
        "chris | simon | martin | gareth | ian | neil | alan | raj | kofi | luca | pierre | carlos | "
        "hiroshi | sean | owen | graham | tony"
    ),
    "first_f": _alts(
        "sarah | helen | emma | claire | rachel | anna | jane | laura | kate | maria | fiona | "
        "louise | ruth | nina | priya | amara | sophie | elena | yuki | grace | alison | joanne"
    ),
    "surname": _alts(
        "hartley | whitmore | okonjo | brennan | castell | lindgren | pruett | delaney | "
        "harrington | novak | baptiste | kessler | abernethy | yoon | marsh | calloway | ramsay | "
        "sutherland | mendes | hollis | crane | oduya | fairbank | gallagher | thornton | reyes | "
        "wexford | kowalski | ashdown | pennock | moretti | haddad | clegg | tennant | varga | "
        "ellison | mbeki | lockhart | danvers | quigley"
    ),
    "place": _alts(
        "london | manchester | birmingham | glasgow | edinburgh | cardiff | belfast | leeds | "
        "liverpool | new york | paris | berlin | tokyo | madrid | rome | sydney | beijing | "
        "moscow | los angeles | dublin | brussels | geneva | mumbai | toronto"
    ),
    "country": _alts(
        "the uk | britain | the us | france | germany | japan | china | india | italy | spain | "
        "australia | russia | brazil | ireland | south africa | europe"
    ),
    "country_adj": _alts(
        "british | american | french | german | japanese | chinese | european | italian | "
        "spanish | australian | indian | irish"
    ),
    "day": _alts("monday | tuesday | wednesday | thursday | friday | saturday | sunday"),
    "month": _alts(
        "january | february | march | april | may | june | july | august | september | "
        "october | november | december"
    ),
    "year": _alts("2003 | 2004 | 2004 | 2005 | 2005 | 2006 | 2007"),
    "n": _alts("2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 12 | 14 | 15 | 18 | 20 | 25 | 30 | 40 | 50"),
    "n_big": _alts("60 | 75 | 80 | 90 | 100 | 120 | 150 | 200 | 250 | 300 | 400 | 500 | 750"),
    "n_small": _alts("two | three | four | five | six | seven | eight | 10 | 11 | 12"),
    "num": _alts("two | three | four | five | six | 10 | 12 | 15 | 20 | several | many"),
    "pct": _alts(
        "1% | 1.5% | 2% | 2.3% | 3% | 3.8% | 4% | 4.75% | 5% | 6.2% | 7% | 8% | 10% | 12% | "
        "15% | 20% | 25% | 30% | 40%"
    ),
    "money": _alts(
        "£{n}m | £{n_big}m | £{n}bn | ${n}m | ${n_big}m | ${n}bn | {n_big}m euros | £1.{n}bn"
    ),
    "bignum": _alts("500 | 800 | 1000 | 1200 | 1500 | 2000 | 2500 | 3000 | 4000 | 6000 | 10000"),
    "said": _alts(
        "said | told the bbc | told reporters | added | said on {day} | told bbc news | said in "
        "a statement | told bbc news online"
    ),
    "period": _alts("year | month | week | few months | past year"),
    "next_period": _alts("week | month | year | spring | summer"),
    "ordinal": _alts("first | second | third | fourth | fifth"),
    "feeling": _alts(
        "pleased | delighted | disappointed | surprised | encouraged | frustrated | cautious | "
        "confident | happy | concerned"
    ),
    "those": _alts(
        "everyone involved | all those involved | the organisation | the people behind it | "
        "many observers | those close to the talks"
    ),
    "quote_generic": _alts(
        "we are delighted with the result | it has been a very difficult year for us | this is a "
        "great day for everyone | we need to look at this very carefully | there is still a long "
        "way to go | we will keep working hard | nobody expected this to happen so quickly | it "
        "is good news but we cannot be complacent | we are disappointed but we will learn from "
        "it | i think people will be surprised | it is the right decision at the right time | "
        "we have always said this would take time | i am very proud of what we have achieved"
    ),
    "generic": [
        "{person} said {he} was {feeling} with the way things had gone.",
        '"{quote_generic}" {he} {said}.',
        '"{quote_generic}" {person} {said}.',
        '"{quote_generic}" {person} {said}.',
        "it is the {ordinal} time in {num} years that this has happened.",
        "more details are expected to be announced later this {next_period}.",
        "the news comes after a difficult {period} for {those}.",
        "{person} said the decision had been taken after months of talks.",
        "the figures were published on {day}.",
        "a spokesman {said} it was too early to comment.",
        "a spokeswoman {said} that no final decision had been made.",
        "the announcement was welcomed by {those} but critics said it did not go far enough.",
        "the move had been widely expected.",
        "many people in {place} will be watching closely.",
        "last year the figure was just {pct}.",
        "{he} said there was still a lot of work to do.",
        "the plans will be reviewed again in {month}.",
        "it is not yet clear what the long-term impact will be.",
        "{person} said {he} hoped the new year would bring better news.",
        "the final decision is expected before the end of {month}.",
        "{num} people are said to have been involved in the discussions.",
        "the report will be published in full next {next_period}.",
        "{person} said people should not read too much into the figures.",
        "it follows a similar announcement in {place} earlier this year.",
        "{he} said the next few months would be crucial.",
        "the story was first reported by a newspaper in {place}.",
    ],
    # ------------------------------------------------------------------ business
    "h_business": [
        "{firm_short} profits {rise_fall} in {quarter}",
        "shares in {firm_short} {jump_slump}",
        "{country_adj} economy {grows_slows}",
        "oil prices hit new high",
        "{firm_short} in {money} takeover bid",
        "dollar falls to new low against euro",
        "{firm_short} to cut {bignum} jobs",
        "interest rates held at {rate}",
        "{firm_short} shares rise on sales news",
        "retail sales {rise_fall} in {month}",
        "house prices {rise_fall} again",
        "{firm_short} fined over {misconduct}",
        "bid battle for {firm_short} hots up",
        "{country_adj} growth beats forecasts",
    ],
    "s_business": [
        "shares in {firm} {rose_fell} {pct} after the {firm_kind} reported {a_change} in "
        "{quarter} profits.",
        "{firm} said pre-tax profits for the {quarter} {rose_fell} to {money} from {money} a year "
        "earlier.",
        "analysts had expected the {firm_kind} to report profits of about {money}.",
        "the {central_bank} kept interest rates on hold at {rate} on {day}.",
        "the {central_bank} raised interest rates by a quarter point to {rate} amid fears about "
        "{econ_worry}.",
        "the {country_adj} economy grew by {pct} in the {quarter} according to official figures.",
        "{firm} has agreed to buy {firm} in a deal worth {money}.",
        "the takeover would create the biggest {industry} group in {country} with annual sales of "
        "{money}.",
        "investors remain worried about {econ_worry}.",
        "the price of oil rose above ${n} a barrel in {place} on {day}.",
        "the dollar fell to a record low against the euro as concerns about the us trade deficit "
        "grew.",
        "retail sales {rose_fell} by {pct} in {month} the office for national statistics said.",
        "{firm} plans to cut {bignum} jobs as part of a cost-cutting drive.",
        "{person} chief executive of {firm} said the results showed {his} strategy was working.",
        "{person} an analyst at {broker} said the {firm_kind} faced {challenge}.",
        "sales at its {division} division {rose_fell} by {pct} over the {quarter}.",
        "the {firm_kind} also raised its dividend to shareholders.",
        "the firm blamed {bad_factor} for the fall in profits.",
        "{firm} shares have {risen_fallen} {pct} since the start of the year.",
        "the {index} closed {n_big} points higher on {day}.",
        "consumer spending has slowed as households struggle with {econ_worry}.",
        "economists expect growth of around {pct} next year.",
        "the company employs {bignum} people in {num} countries.",
        "the group said it would invest {money} in new {investment} over the next {num} years.",
        "the airline said passenger numbers rose by {pct} in {month}.",
        "{firm} has been fined {money} by regulators over {misconduct}.",
        "the world trade organization ruled that {country_adj} subsidies broke trade rules.",
        "unemployment fell to {jobless} its lowest level for {num} years.",
        "inflation rose to {pct} in {month} driven by higher {cost_item} costs.",
        "house prices {rose_fell} {pct} in {month} according to {lender}.",
        "the deal still needs the approval of competition regulators.",
        "{firm} said trading over the christmas period had been {trading_adj}.",
        "the firm's debts have risen to {money}.",
        "{firm} said it expected full-year earnings to be in line with market forecasts.",
        "the bank's chief economist said the outlook for exports remained {outlook}.",
        "shareholders will vote on the offer at a meeting in {month}.",
        "the {firm_kind} said it would close {num} stores and open {n} new ones.",
        "{person} who has run the {firm_kind} for {num} years will step down in {month}.",
    ],
    "firm": _alts(
        "{firm_short} | {firm_short} | {firm_short} {firm_suffix} | {firm_short} {firm_suffix}"
    ),
    "firm_short": _alts(
        "hartwell | norcastle | brightwater | kestrel | albion | meridian | corvane | stanbury | "
        "pellham | redbridge | ostrava | vantex | greyfield | tamarind | holloway | northgate | "
        "crestline | bexley | arkwright | solent"
    ),
    "firm_suffix": _alts(
        "group | holdings | bank | airways | motors | foods | energy | steel | insurance | "
        "retail | brewing | pharmaceuticals | telecom | media"
    ),
    "firm_kind": _alts(
        "firm | company | group | bank | retailer | airline | carmaker | insurer | brewer | "
        "supermarket chain | drugs firm | oil giant"
    ),
    "rate": _alts("1% | 2% | 2.25% | 4.5% | 4.75% | 5%"),
    "jobless": _alts("2.7% | 4.6% | 4.7% | 5.1% | 8.9% | 9.8%"),
    "rise_fall": _alts("rise | fall | jump | slump | rise | up"),
    "jump_slump": _alts("jump | slump | surge | tumble | rise | fall"),
    "grows_slows": _alts("grows | slows | picks up | stalls | expands | shrinks"),
    "rose_fell": _alts("rose | fell | jumped | slumped | climbed | dropped"),
    "risen_fallen": _alts("risen | fallen | climbed | dropped"),
    "a_change": _alts(
        "a rise | a fall | a sharp rise | a sharp fall | a {pct} increase | a {pct} drop"
    ),
    "quarter": _alts(
        "first quarter | second quarter | third quarter | fourth quarter | three months to "
        "{month} | first half | six months to {month} | year to {month}"
    ),
    "central_bank": _alts(
        "bank of england | us federal reserve | european central bank | bank of japan | central "
        "bank"
    ),
    "econ_worry": _alts(
        "rising oil prices | the weak dollar | high levels of consumer debt | a slowing housing "
        "market | the us budget deficit | rising inflation | weak consumer demand | the strength "
        "of the euro | falling exports"
    ),
    "industry": _alts(
        "banking | steel | airline | brewing | insurance | supermarket | mining | oil | "
        "pharmaceuticals | car"
    ),
    "broker": _alts(
        "{firm_short} securities | {firm_short} capital | {firm_short} investment | the brokers"
    ),
    "challenge": _alts(
        "tough competition | a difficult year | rising costs | pressure on prices | a weak "
        "market | falling demand"
    ),
    "division": _alts("retail | insurance | banking | food | fuel | investment | us | european"),
    "bad_factor": _alts(
        "higher fuel costs | weak demand | the strong pound | the weak dollar | rising raw "
        "material costs | poor weather | a price war"
    ),
    "index": _alts("ftse 100 | dow jones | nikkei | dax | nasdaq | cac 40"),
    "investment": _alts("factories | stores | aircraft | plants | offices | oil fields"),
    "misconduct": _alts(
        "misleading investors | price fixing | mis-selling | accounting errors | breaking "
        "competition rules"
    ),
    "cost_item": _alts("fuel | energy | food | housing | transport"),
    "lender": _alts(
        "the nationwide | the halifax | the land registry | the council of mortgage lenders"
    ),
    "trading_adj": _alts("disappointing | strong | tough | better than expected | mixed"),
    "outlook": _alts("uncertain | positive | weak | strong | mixed"),
    # ------------------------------------------------------------------ sport
    "h_sport": [
        "{club} {beat_held} {club}",
        "{player_name} {wins_loses} in {tournament}",
        "{player_name} ruled out with injury",
        "{nation} name squad for {big_event}",
        "{club} sign {nationality} {position}",
        "{player_name} sets new world record",
        "{nation} {beat_held} {nation}",
        "{club} boss defends team selection",
        "{player_name} eyes {big_event} place",
        "{club} go top of the table",
        "{player_name} out of {big_event}",
        "{nation} coach plans for future",
    ],
    "s_sport": [
        "{club} beat {club} {score} in the {competition} on {day}.",
        "{club} were held to a {draw_score} draw by {club} at {ground}.",
        "{player} scored twice as {club} came from behind to win.",
        "the {age}-year-old {position} has been ruled out for {num} weeks with a {injury} injury.",
        "{man} the {club} manager said his side deserved the win.",
        "{club} are now {n_small} points clear at the top of the {league}.",
        "{player} will face {player_name} in the final of the {tournament}.",
        "the world number {n_small} won the match {set_score}.",
        "{nation} coach {man} has named {n_small} uncapped players in his squad for the six "
        "nations.",
        "{player} won the {race} in a season's best time.",
        "the {sport_kind} star said {he} was hoping to be fit for the {big_event}.",
        "{club} have signed the {nationality} {position} on a {n_small}-year contract.",
        "the {position} was sent off for a second bookable offence in the {minute} minute.",
        "{player} set a new world record in the {race}.",
        "{club} face {club} in the {round} of the {cup} next month.",
        "the home side had the better of the first half but could not find a way past the keeper.",
        "{player} has been named in the {nation} squad for the {big_event}.",
        "the captain said the team had been {perf_adj} in the second half.",
        "{man} was fined by the football association after criticising the referee.",
        "{club} won the title for the first time in {num} years.",
        "{player} hit {n_big} runs as {nation} took control of the {ordinal} test.",
        "the champion will defend {his} title at {venue} in {month}.",
        "{player} crossed for the opening try in the {minute} minute.",
        "the coach confirmed that {player_name} would miss the rest of the season.",
        "{player} won {his} {ordinal} grand slam title with a straight sets victory.",
        "the olympic champion pulled out of the race with a hamstring problem.",
        "{club} have lost only {n_small} of their {n} league games this season.",
        "{nation} need to win their last two games to reach the world cup finals.",
        "the striker's late goal sent the fans home happy.",
        "{player} will miss the match after failing a fitness test.",
        "the {age}-year-old {position} has scored {n} goals this season.",
        "the match was played in front of a crowd of {bignum}.",
        "{player} said {he} was looking forward to the {big_event}.",
        "{club} have not won away from home since {month}.",
        "the defending champion was knocked out in the {round}.",
    ],
    "club": _alts(
        "{town} united | {town} city | {town} rovers | {town} athletic | {town} wanderers | "
        "{town} town | {town} albion | {town} county"
    ),
    "town": _alts(
        "ashford | millbrook | westbury | kingsford | redhill | eastleigh | thornbury | "
        "barnsdale | hallam | carrick | stourton | wrexley | brampton | dunmore"
    ),
    "nation": _alts(
        "england | wales | scotland | ireland | france | italy | australia | new zealand | "
        "south africa | argentina | spain | germany"
    ),
    "nationality": _alts(
        "french | spanish | brazilian | dutch | italian | argentine | irish | welsh | scottish | "
        "nigerian | swedish"
    ),
    "player": ["{player_name}", "{player_name}", "{nation} {position} {player_name}"],
    "player_name": ["@m {first_m} {surname}", ("@f {first_f} {surname}", 0.5)],
    "position": _alts(
        "striker | midfielder | defender | goalkeeper | winger | fly-half | full-back | "
        "centre | scrum-half | flanker | bowler | batsman"
    ),
    "sport_kind": _alts(
        "tennis | rugby | football | cricket | athletics | golf | snooker | boxing | cycling"
    ),
    "beat_held": _alts("beat | hold | stun | edge past | thrash | draw with"),
    "wins_loses": _alts("wins | loses | through | crashes out | cruises | battles"),
    "score": _alts("2-0 | 3-1 | 1-0 | 2-1 | 4-2 | 3-0 | 24-18 | 30-12 | 19-13"),
    "draw_score": _alts("0-0 | 1-1 | 2-2 | 15-15"),
    "competition": _alts(
        "premiership | league cup | fa cup | champions league | six nations | uefa cup | "
        "heineken cup"
    ),
    "league": _alts("premiership | championship | first division | scottish premier league"),
    "cup": _alts("fa cup | league cup | heineken cup | davis cup | uefa cup"),
    "round": _alts("first round | second round | third round | quarter-finals | semi-finals"),
    "ground": _alts("{town} park | the {town} ground | {town} road | home"),
    "age": _alts("19 | 20 | 21 | 22 | 23 | 24 | 25 | 26 | 27 | 28 | 29 | 30 | 31 | 32 | 34"),
    "minute": _alts("12th | 23rd | 35th | 41st | 52nd | 60th | 67th | 74th | 81st | 88th"),
    "injury": _alts("knee | ankle | hamstring | groin | shoulder | back | calf | foot"),
    "tournament": _alts(
        "australian open | wimbledon | us open | french open | dubai open | qatar open | world "
        "indoor championships"
    ),
    "set_score": _alts("6-3 6-4 | 7-5 6-2 | 6-1 6-1 | 6-4 3-6 6-3 | 7-6 6-4"),
    "race": _alts("60m | 100m | 200m | 400m | 800m | 1500m | marathon | 3000m"),
    "big_event": _alts(
        "olympics | world championships | six nations | world cup | european championships | "
        "commonwealth games"
    ),
    "venue": _alts("wimbledon | twickenham | the crucible | murrayfield | lord's | st andrews"),
    "perf_adj": _alts("outstanding | poor | sloppy | brilliant | disappointing | superb"),
    # ------------------------------------------------------------------ politics
    "h_politics": [
        "{party_name} {pledges} on {public_service}",
        "{minister_title} defends {policy_noun}",
        "mps back {policy_noun}",
        "election date {speculation}",
        "{party_name} unveils {campaign_issue} plans",
        "lords defeat government over {policy_noun}",
        "{minister_title} faces questions over {scandal}",
        "{party_name} leader attacks government",
        "poll boost for {party_name}",
        "row over {policy_noun} deepens",
        "{minister_title} rules out {tax} rise",
        "new {campaign_issue} laws planned",
    ],
    "s_politics": [
        "the {minister_title} told mps the plans would {policy_goal}.",
        "{party_name} leader {person} accused the government of {accusation}.",
        "the prime minister is widely expected to call a general election for {month}.",
        "the bill was passed by {n_big} votes to {n_big} in the commons.",
        "the {minister_title} said the government would {gov_promise}.",
        "a spokesman for the {department} said the proposals were still being considered.",
        "{party_name} says it would cut {tax} and spend more on {public_service}.",
        "critics say the plans would {criticism}.",
        "{person} the {party_name} mp for {constituency} said voters wanted {voter_wish}.",
        "the house of lords voted against the measure for a second time.",
        "the {minister_title} will set out details in {his} {speech}.",
        "the opposition said ministers had failed to {failure}.",
        "the government has promised to hold a referendum on the european constitution.",
        "the party's election campaign will focus on {campaign_issue}.",
        "a poll for {newspaper} suggested {party_name} had a lead of {n_small} points.",
        "the {minister_title} denied that the policy had been a failure.",
        "the committee of mps said the {department} had {committee_finding}.",
        "{person} said the party would fight the election on its record on {public_service}.",
        "the home office said {bignum} asylum applications were made in the last three months.",
        "{party_name} councillors in {constituency} have called for an inquiry.",
        "the proposals will be debated in parliament next {next_period}.",
        "the chancellor said the budget would help {budget_group}.",
        "ministers want to introduce identity cards by {year}.",
        "the {minister_title} faced tough questions from mps on {day}.",
        "the government insists its plans for {public_service} are working.",
        "{party_name} has promised to scrap {tax} if it wins the election.",
        "the prime minister told his party conference that {conference_line}.",
        "{person} is expected to stand down as an mp at the next election.",
        "the row has overshadowed the start of the election campaign.",
        "{party_name} has accused ministers of {accusation}.",
        "the {minister_title} has ordered an independent review of {public_service}.",
        "voters in {constituency} go to the polls in a by-election on {day}.",
        "the government's majority was cut to {n} in the vote.",
        "{party_name} said the figures showed the government had {failure_done}.",
        "the prime minister's official spokesman said the matter was closed.",
        "the {minister_title} is due to make a statement to the commons.",
    ],
    "party_name": _alts(
        "labour | the conservative party | the tory party | the liberal democrat party | the "
        "scottish national party | plaid cymru | the green party | ukip"
    ),
    "minister_title": _alts(
        "home secretary | chancellor | health secretary | education secretary | foreign "
        "secretary | prime minister | culture secretary | transport secretary | work and pensions "
        "secretary | minister"
    ),
    "pledges": _alts("pledge | promise | vow | u-turn | row | warning"),
    "speculation": _alts("speculation grows | rumours | set for may | talk dismissed"),
    "policy_goal": _alts(
        "cut crime | reduce waiting lists | help first-time buyers | get more people into work | "
        "tackle illegal immigration | raise standards in schools | make the streets safer | cut "
        "red tape"
    ),
    "accusation": _alts(
        "breaking its promises | wasting public money | misleading parliament | ignoring "
        "voters | stealth taxes | spin | scaremongering"
    ),
    "gov_promise": _alts(
        "publish the advice in full | recruit {bignum} more police officers | cut hospital "
        "waiting times | build {bignum} new homes | review the rules on asylum | give councils "
        "more powers"
    ),
    "department": _alts(
        "home office | treasury | department of health | foreign office | department for "
        "education | ministry of defence | department for work and pensions"
    ),
    "tax": _alts("council tax | inheritance tax | income tax | stamp duty | vat | fuel duty"),
    "public_service": _alts(
        "the nhs | schools | pensions | the police | hospitals | universities | public "
        "transport | the armed forces"
    ),
    "criticism": _alts(
        "hit pensioners hardest | lead to higher taxes | undermine civil liberties | cost "
        "millions | do nothing for families | create more bureaucracy"
    ),
    "constituency": _alts(
        "{town} | {town} north | {town} and {town} | {town} south | {town} east | {town} west"
    ),
    "voter_wish": _alts(
        "lower taxes | more police on the streets | better schools | action on immigration | "
        "honest politics | cleaner hospitals"
    ),
    "speech": _alts(
        "budget statement | speech to the party conference | statement to the commons | "
        "pre-budget report"
    ),
    "failure": _alts(
        "keep their promises | control immigration | cut waiting lists | get a grip on crime | "
        "explain the decision"
    ),
    "failure_done": _alts(
        "failed on crime | broken its promises | lost control of spending | let down pensioners"
    ),
    "campaign_issue": _alts(
        "crime | immigration | the economy | the nhs | education | council tax | pensions | "
        "asylum | anti-terror"
    ),
    "newspaper": _alts(
        "the times | the guardian | the daily telegraph | the independent | the observer | "
        "the sunday times"
    ),
    "committee_finding": _alts(
        "wasted millions | failed to plan properly | been too slow to act | made progress but "
        "more needed to be done | lost track of spending"
    ),
    "budget_group": _alts(
        "pensioners | hard-working families | first-time buyers | small businesses | young "
        "people | the low paid"
    ),
    "policy_noun": _alts(
        "anti-terror laws | id cards | tuition fees | the asylum plans | the smoking ban | "
        "the hunting ban | council tax reform | the pensions plans"
    ),
    "scandal": _alts(
        "a visa application | expenses claims | a donation to the party | the leaked memo | "
        "his business links"
    ),
    "conference_line": _alts(
        "the party had to earn the trust of voters again | there would be no return to boom and "
        "bust | the choice at the election was clear | the hard choices had been worth it"
    ),
    # ------------------------------------------------------------------ tech
    "h_tech": [
        "{tech_firm} unveils new {gadget}",
        "{malware} targets {channel_short}",
        "broadband use {rise_fall}",
        "{gadget} sales set to soar",
        "net users warned over {malware}",
        "{tech_firm} launches {service}",
        "games makers look to next consoles",
        "mobile phones get {phone_feature}",
        "{tech_firm} fixes {software_kind} flaw",
        "{research_field} breakthrough at {university}",
        "blogs change the way people read news",
        "digital tv switch-over date set",
    ],
    "s_tech": [
        "{tech_firm} has launched a new {gadget} that lets users {feature}.",
        "the number of homes with broadband rose to {n} million in {year}.",
        "security experts warned that a new {malware} was spreading through {channel}.",
        "the {gadget} will go on sale in {place} in {month} priced at {money}.",
        "researchers at {university} have developed {research_thing}.",
        "sales of games consoles rose by {pct} over the christmas period.",
        "{pct} of net users said they used the internet to {online_activity}.",
        "the software lets people {feature}.",
        "{tech_firm} said its new chip would make computers {n_small} times faster.",
        "the search engine handles more than {n_big} million searches a day.",
        "mobile phone operators are hoping {phone_feature} will tempt people to upgrade.",
        "spam now accounts for {pct} of all e-mail according to {tech_firm}.",
        "the website has more than {n} million registered users.",
        "the technology could be built into {device_place} within {num} years.",
        "gamers will be able to play against each other online.",
        "the program was downloaded {n} million times in its first week.",
        "{person} of {tech_firm} said the {gadget} was designed for people who {user_type}.",
        "experts say users should update their software and use a firewall.",
        "the {gadget} uses a {component} to store {storage_thing}.",
        "the system uses wireless technology to connect {devices}.",
        "hackers exploited a flaw in the {software_kind} to steal {stolen_data}.",
        "blogs have become a popular way for people to share their views online.",
        "digital music players have become one of the most popular gadgets.",
        "the research was presented at the {tech_event} in {place}.",
        "the new version of the operating system is due out next year.",
        "high-definition tv sets are expected to be big sellers this year.",
        "the robot can {robot_ability}.",
        "{tech_firm} is offering a free download to fix the problem.",
        "the {gadget} comes with {spec}.",
        "{pct} of people in the survey said they had been victims of {online_threat}.",
        "the open source software is developed by volunteers around the world.",
        "users can search their own computer files as well as the web.",
        "the {tech_firm} service will be available to {n} million customers.",
        "the chip will be used in the next generation of games consoles.",
        "analysts say the market for {gadget}s will be worth {money} by {year}.",
        "{person} who studies technology trends said the change was {tech_adj}.",
    ],
    "tech_firm": _alts(
        "{tech_short} | {tech_short} | {tech_short} systems | {tech_short} software | "
        "{tech_short} technologies | {tech_short} networks"
    ),
    "tech_short": _alts(
        "zyntec | microvale | qubix | novalink | digiworks | pixelon | bytefield | corelight | "
        "netsphere | siliq | tandrax | orbex"
    ),
    "gadget": _alts(
        "mobile phone | handheld console | music player | laptop | digital camera | media "
        "centre | smartphone | personal video recorder | pda | tablet pc | set-top box | games "
        "console"
    ),
    "feature": _alts(
        "watch tv on the move | download music wirelessly | make calls over the net | store "
        "thousands of songs | search the web by voice | share photos with friends | play games "
        "online | record tv programmes | browse the net at high speed"
    ),
    "malware": _alts(
        "virus | worm | trojan | phishing scam | spyware program | piece of malicious code"
    ),
    "channel": _alts(
        "e-mail attachments | instant messaging | file-sharing networks | mobile phones | fake "
        "websites | chat rooms"
    ),
    "channel_short": _alts("windows users | mobile phones | web browsers | e-mail users"),
    "service": _alts(
        "music download service | search tool | net phone service | online games service | "
        "blog service | video on demand service"
    ),
    "university": _alts(
        "cambridge university | mit | imperial college | stanford university | the university "
        "of {place} | carnegie mellon university"
    ),
    "research_thing": _alts(
        "a chip that mimics the human brain | software that can read handwriting | a robot that "
        "learns by watching people | a screen that can be rolled up | a battery that charges in "
        "minutes | a system to track people's movements using mobile phones"
    ),
    "research_field": _alts("robotics | nanotech | computing | battery | display"),
    "online_activity": _alts(
        "shop for christmas presents | download music | book holidays | read the news | play "
        "games | bank online | look for health information"
    ),
    "phone_feature": _alts(
        "built-in cameras | 3g video calls | music players | mobile tv | faster net access"
    ),
    "device_place": _alts(
        "mobile phones | cars | fridges | clothing | credit cards | household appliances"
    ),
    "user_type": _alts(
        "want to carry their music collection with them | work on the move | spend hours "
        "playing games | are new to computers | want to watch tv on their phones"
    ),
    "component": _alts("hard drive | flash memory chip | memory card | tiny disc"),
    "storage_thing": _alts("songs | photos | video clips | documents | games"),
    "devices": _alts(
        "computers printers and phones around the home | pcs to tv sets | phones to the net"
    ),
    "software_kind": _alts("web browser | operating system | e-mail program | database software"),
    "stolen_data": _alts(
        "credit card details | passwords | bank details | personal information | e-mail addresses"
    ),
    "tech_event": _alts(
        "consumer electronics show | 3gsm world congress | games developers conference | e3 "
        "games expo | cebit technology fair"
    ),
    "robot_ability": _alts(
        "climb stairs | recognise faces | play the trumpet | walk on two legs | clean windows"
    ),
    "spec": _alts(
        "a {n} gigabyte hard drive | a two megapixel camera | a colour screen | wi-fi built in | "
        "bluetooth"
    ),
    "online_threat": _alts("online fraud | spam | identity theft | viruses | spyware"),
    "tech_adj": _alts("inevitable | significant | overdue | surprising | revolutionary"),
    # ------------------------------------------------------------------ entertainment
    "h_entertainment": [
        "{star} wins {ceremony} award",
        "{film_title} tops box office",
        "{band} top the charts",
        "{ceremony} nominations announced",
        "{star} to star in {genre}",
        "{band} plan {num}-date tour",
        "{festival} festival line-up revealed",
        "{star} quits {show_kind}",
        "{film_title} sequel confirmed",
        "{star} joins cast of {film_title}",
        "record sales for {band} album",
        "{show_kind} wins ratings battle",
    ],
    "s_entertainment": [
        "{star} won the award for best {role} at the {ceremony} on {day} night.",
        "the film took {money} at the box office in its opening weekend.",
        "{band}'s new album went straight to number one in the uk album chart.",
        "the {show_kind} will be shown on {tv_channel} later this year.",
        "{star} plays {character} in the {genre} directed by {person}.",
        "the {festival} film festival will open with the world premiere of {film_title}.",
        "critics praised {his} performance as {perf_ent}.",
        "tickets for the band's {n}-date tour sold out within hours.",
        "the singer's debut single entered the chart at number {n_small}.",
        "the {ceremony} will be hosted by comedian {person}.",
        "the show attracted an audience of {n} million viewers.",
        "{star} is best known for {his} role in the hit {show_kind} {film_title}.",
        "the {genre} is based on the best-selling novel by {person}.",
        "{film_title} was nominated in {n_small} categories including best film.",
        "the musical opened in the west end to rave reviews.",
        "{band} will headline the {festival} festival in {month}.",
        "the director said {he} had wanted to make the film for {num} years.",
        "the record label said the album had sold more than {bignum} copies.",
        "{star} beat {star} to the prize.",
        "the sequel is due to be released in {month}.",
        "the channel said the series would return next year.",
        "{star} {celeb_event}.",
        "the comedy also won the audience award.",
        "{star} has signed up to appear in the new series of {show_kind_name}.",
        "the {genre} cost {money} to make.",
        "the actress said she was thrilled to be nominated.",
        "the band's {ordinal} album is released on {day}.",
        "the soap's storyline has drawn complaints from viewers.",
        "the {ceremony} is seen as a guide to who will win at the oscars.",
        "the orchestra will perform the piece for the first time in {place}.",
        "{star} said {he} had always loved {art_form}.",
        "the singer will perform at the ceremony in {place} next {next_period}.",
        "the novel has been translated into {n} languages.",
        "the star of {film_title} arrived at the premiere in {place}.",
        "the film's stars walked the red carpet at the premiere.",
    ],
    "star": _alts(
        "actor {man} | actress {woman} | singer {person} | {person} | {person} | comedian "
        "{person} | director {person} | rapper {person}"
    ),
    "band": _alts(
        "the {band_word}s | {band_word} | the {band_word} {band_word}s | {person} and the "
        "{band_word}s"
    ),
    "band_word": _alts(
        "velvet | kite | arcade | lantern | echo | stone | crimson | harbour | raven | paper | "
        "neon | shadow"
    ),
    "film_title": _alts(
        "the long road | silent harbour | night train | the last summer | broken sky | the "
        "glass house | winter's tale | city of dust | the quiet man | a far country | blue moon "
        "rising | the last waltz"
    ),
    "role": _alts(
        "actor | actress | supporting actor | supporting actress | director | newcomer | "
        "british film | original song | album | single | male solo artist | female solo artist"
    ),
    "ceremony": _alts(
        "baftas | brit awards | golden globes | grammys | mobo awards | mercury prize | "
        "screen actors guild awards | evening standard theatre awards | oscars"
    ),
    "show_kind": _alts(
        "drama series | sitcom | soap | reality show | talent show | chat show | documentary | "
        "period drama | comedy series"
    ),
    "show_kind_name": _alts(
        "i'm a celebrity | strictly come dancing | big brother | the x factor | pop idol"
    ),
    "tv_channel": _alts("bbc one | bbc two | itv | channel 4 | sky one | channel five"),
    "character": _alts(
        "a retired detective | a struggling singer | a troubled teacher | a hitman | a young "
        "queen | a war hero | a jazz musician | a famous writer"
    ),
    "genre": _alts(
        "film | thriller | comedy | romantic comedy | drama | horror film | biopic | animated "
        "film | musical"
    ),
    "festival": _alts(
        "cannes | berlin | venice | sundance | edinburgh | glastonbury | london | toronto"
    ),
    "perf_ent": _alts(
        "moving | breathtaking | powerful | wonderfully funny | haunting | the best of {his} career"
    ),
    "celeb_event": _alts(
        "has married {his} long-term partner in a private ceremony | has been voted the sexiest "
        "star in a magazine poll | is to write {his} autobiography | has pulled out of the "
        "tour because of illness | will receive a lifetime achievement award | has been "
        "appointed an mbe"
    ),
    "art_form": _alts("acting | the theatre | music | singing | comedy | cinema"),
    # ------------------------------------------------------------------ bridges: both topics
    "x_business_sport": [
        "the club's shares rose {pct} on the stock market after the takeover bid.",
        "the club reported record revenues of {money} thanks to its new sponsorship deal.",
        "the league has signed a {money} television rights deal with {broadcaster}.",
        "the american businessman has built up a stake of {pct} in the club.",
        "sponsors are said to be unhappy about the team's poor results.",
        "the sportswear firm's profits rose after strong sales of replica shirts.",
        "{club} said the sale of the striker had helped it cut its debts.",
        "the bookmaker said betting on the {big_event} had broken all records.",
    ],
    "x_business_tech": [
        "{tech_firm} reported profits of {money} for the {quarter} on strong sales of its "
        "{gadget}s.",
        "shares in {tech_firm} rose {pct} after it beat analysts' forecasts.",
        "the chip maker expects demand to slow in the second half of the year.",
        "the telecoms firm is spending {money} on upgrading its broadband network.",
        "online retailers reported record sales over christmas.",
        "{tech_firm} has agreed to buy a rival software firm for {money}.",
        "the mobile operator said it had signed up {n} million new customers.",
    ],
    "x_business_entertainment": [
        "the media group's profits rose {pct} thanks to strong dvd sales.",
        "the record company plans to cut {bignum} jobs as cd sales fall.",
        "the studio's shares rose after the film's strong box office takings.",
        "the broadcaster reported a {pct} rise in advertising revenues.",
        "the music industry's sales fell {pct} last year.",
        "the cinema chain has been sold to a private equity firm for {money}.",
        "the publisher said sales of the book had boosted its profits.",
    ],
    "x_business_politics": [
        "the chancellor said the economy was stronger than at any time in {num} years.",
        "business leaders criticised the government's plans to raise {tax}.",
        "the opposition said the budget would hit small firms hardest.",
        "ministers are under pressure to help the car plant's {bignum} workers.",
        "the minimum wage will rise to £5.{n} an hour in october.",
        "the trade minister will lead a delegation of business leaders to {place}.",
        "the government's borrowing rose to {money} in {month}.",
        "unions warned that the pension changes would lead to strikes.",
    ],
    "x_politics_tech": [
        "the government wants more people to use public services online.",
        "mps have called for tougher laws against spam and computer crime.",
        "the identity card scheme will store biometric details on a national database.",
        "ministers said broadband should be available to every home by {year}.",
        "the bill would give police new powers to monitor e-mail and internet use.",
        "electronic voting could be used at the next general election.",
        "the parties are using text messages and blogs to reach young voters.",
        "the government's computer system for {public_service} is running {n} months late.",
    ],
    "x_politics_sport": [
        "the government has given its backing to {place}'s bid to host the {year} olympics.",
        "the sports minister said more money would be spent on school sport.",
        "mps called for an inquiry into ticket prices at football grounds.",
        "the culture secretary will meet the football authorities next week.",
        "the prime minister congratulated the team on their victory.",
        "the olympic bid team will present its plans to the government in {month}.",
    ],
    "x_entertainment_tech": [
        "the music industry has sued hundreds of people for sharing songs online.",
        "legal download services sold {n} million tracks last year.",
        "film studios are worried about piracy on file-sharing networks.",
        "the band released the single as a download only.",
        "the games industry now makes more money than hollywood.",
        "the broadcaster plans to put its programmes online.",
        "downloads will be counted in the singles chart from {month}.",
    ],
    "x_entertainment_politics": [
        "the culture secretary said the bbc licence fee would stay.",
        "the film was criticised by mps for its violent content.",
        "the government is reviewing the future of the bbc charter.",
        "the play about the prime minister has sold out.",
        "the singer has backed {party_name} in the election.",
    ],
    "x_entertainment_sport": [
        "the footballer will appear in a reality tv show next year.",
        "the sports personality of the year award will be shown live on bbc one.",
        "the film tells the story of the {year} world cup.",
        "the former {sport_kind} star has signed a deal to host a chat show.",
        "the singer will perform before the cup final.",
    ],
    "x_sport_tech": [
        "the referees will use video technology to help them make decisions.",
        "fans will be able to watch highlights of the games on their mobile phones.",
        "the new computer game features all the players in the premiership.",
    ],
    "broadcaster": _alts("sky | the bbc | itv | channel 4 | setanta"),
}

_SLOT = re.compile(r"\{(\w+)\}")
_PRONOUNS = {
    "m": {"he": "he", "his": "his", "him": "him"},
    "f": {"he": "she", "his": "her", "him": "her"},
}
_AN = re.compile(r"\ba (?=[aeio])")
Table = tuple[list[str], list[float]]


def _tables() -> dict[str, Table]:
    """Per symbol: the texts and their cumulative weights."""
    tables: dict[str, Table] = {}
    for symbol, entries in GRAMMAR.items():
        texts: list[str] = []
        cumulative: list[float] = []
        total = 0.0
        for entry in entries:
            text, weight = (entry, 1.0) if isinstance(entry, str) else entry
            texts.append(text)
            total += weight
            cumulative.append(total)
        tables[symbol] = (texts, cumulative)
    return tables


_TABLES = _tables()


def _weights(weights: dict[str, float]) -> Table:
    names = list(weights)
    return names, [float(value) for value in np.cumsum([weights[name] for name in names])]


_PARTNER_TABLES = {category: _weights(partners) for category, partners in PARTNERS.items()}
_PLAIN_TABLE, _CROSS_TABLE = _weights(PLAIN_MIX), _weights(CROSS_MIX)


def _bridge(first: str, second: str) -> str:
    """The bridging symbol of two categories (its name lists them in a fixed order)."""
    for name in (f"x_{first}_{second}", f"x_{second}_{first}"):
        if name in GRAMMAR:
            return name
    raise KeyError(f"no bridge between {first} and {second}")


class _Writer:
    """Expands the grammar with one random stream."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.gender = "m"

    def choice(self, table: Table) -> str:
        texts, cumulative = table
        index = bisect.bisect_right(cumulative, self.rng.random() * cumulative[-1])
        return texts[min(index, len(texts) - 1)]

    def expand(self, symbol: str) -> str:
        text = self.choice(_TABLES[symbol])
        if text.startswith("@"):
            self.gender, text = text[1], text[3:]
        return _SLOT.sub(self._slot, text)

    def _slot(self, match: re.Match[str]) -> str:
        name = match.group(1)
        if name in _PRONOUNS["m"]:
            return _PRONOUNS[self.gender][name]
        return self.expand(name)

    def article(self, category: str) -> str:
        """One article filed under ``category``: a headline, then a few paragraphs."""
        other = ""
        if self.rng.random() < CROSS_SHARE:
            other = self.choice(_PARTNER_TABLES[category])
        headline_topic = category
        if other and self.rng.random() < CROSS_HEADLINE_FROM_OTHER:
            headline_topic = other
        headline = self.expand(f"h_{headline_topic}")
        sentences: list[str] = []
        for _ in range(int(self.rng.integers(BODY_MIN, BODY_MAX + 1))):
            source = self.choice(_CROSS_TABLE if other else _PLAIN_TABLE)
            if source == "own":
                symbol = f"s_{category}"
            elif source == "other":
                symbol = f"s_{other}"
            elif source == "bridge":
                symbol = _bridge(category, other)
            elif source == "stray":
                stray = [name for name in CATEGORIES if name != category]
                symbol = f"s_{stray[int(self.rng.integers(len(stray)))]}"
            else:
                symbol = "generic"
            sentence = self.expand(symbol)
            if sentence not in sentences:
                sentences.append(sentence)
        paragraphs: list[str] = []
        while sentences:  # paragraphs of one to three sentences, as in the real file
            size = int(self.rng.integers(1, 4))
            paragraphs.append(" ".join(sentences[:size]))
            sentences = sentences[size:]
        return _house_style(headline + "  " + "  ".join(paragraphs))


def _house_style(text: str) -> str:
    """The real file's form: a/an agreement, commas, quotes and apostrophes turned into spaces."""
    text = _AN.sub("an ", text)
    return text.replace(",", " ").replace('"', " ").replace("'", " ").strip() + " "


def _labels(rng: np.random.Generator, counts: tuple[int, ...]) -> list[str]:
    labels = [name for name, count in zip(CATEGORIES, counts, strict=True) for _ in range(count)]
    order = rng.permutation(len(labels))
    return [labels[index] for index in order]


def generate(
    seed: int, stream: int, counts: tuple[int, ...], exclude: frozenset[str] = frozenset()
) -> list[tuple[str, str]]:
    """Rows ``(category, text)`` with ``counts`` per category in a random order, distinct texts
    (none in ``exclude``), deterministic per stream."""
    rng = np.random.default_rng([seed, 4, stream])
    writer = _Writer(rng)
    rows: list[tuple[str, str]] = []
    seen = set(exclude)
    for category in _labels(rng, counts):
        text = ""
        while not text or text in seen:  # a repeat is redrawn with the same category
            text = writer.article(category)
        seen.add(text)
        rows.append((category, text))
    return rows


def workspace_rows(seed: int) -> list[tuple[str, str]]:
    """The rows of the workspace file: the training part first, then the validation part."""
    training = generate(seed, WORKSPACE_STREAM, TRAINING_COUNTS)
    rest = generate(seed, VALIDATION_STREAM, VALIDATION_COUNTS, frozenset(t for _, t in training))
    return training + rest


def write_data(folder: Path, seed: int) -> None:
    """Write ``bbc-text.csv`` (header ``category,text``, LF line endings) into ``folder``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["category", "text"])
    writer.writerows(workspace_rows(seed))
    (folder / FILE_NAME).write_text(buffer.getvalue(), encoding="utf-8")
