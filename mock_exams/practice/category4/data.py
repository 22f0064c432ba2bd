"""Training data for Category 4: a sarcasm-headlines file like the real exam's ``sarcasm.json``.

The real dataset paired HuffPost headlines (``is_sarcastic`` 0) with The Onion's (1). This module
writes a JSON array of records of the same form, generated from the exam seed by a small
probabilistic grammar: every headline is put together from frames (grammar patterns) and word
lists, and every choice has one weight for news and one for satire. Both kinds share most frames
and most words; satire comes from combinations (a serious frame filled with something mundane, mock
earnest tone, "area man", "nation's dads", quotes contradicted by the rest of the line) spread over
many words rather than one telling token. A share of the headlines is written in the other kind's
style while keeping its source's label (The Onion also runs straight-faced lines, and HuffPost funny
ones), so the task is learnable but not trivial.

NumPy and the standard library only: this runs in the exam engine, never with TensorFlow. The same
seed always gives the same bytes. ``grader.py`` uses :func:`generate` with another stream for the
hidden test headlines, which are never written into the workspace.
"""

from __future__ import annotations

import bisect
import json
import re
from pathlib import Path

import numpy as np

FILE_NAME = "sarcasm.json"
RECORDS = 10_000  # written into the workspace; the starter trains on the first TRAINING_SIZE
TRAINING_SIZE = 8_000
SARCASTIC_SHARE = 0.44  # as in the real file (11,724 of 26,709 headlines)
STYLE_SWAP = 0.06  # share of headlines written in the other source's style (label kept)
CONTRAST = 2.0  # the weights are raised to this power: higher makes each choice more telling

WORKSPACE_STREAM = 0
TEST_STREAM = 1

# An entry is "text" (same weight for both kinds) or ("text", news weight, satire weight).
# "{name}" expands the symbol ``name``; "{his}", "{him}", "{he}", "{has}", "{is}" agree with the last
# subject that set a pronoun with a leading "@m ", "@f ", "@n " (they) or "@r " (he or she at random).
Entry = str | tuple[str, float, float]


def _alts(text: str) -> list[Entry]:
    """Alternatives of equal weight, written "a | b | c" to keep the word lists compact."""
    return [item.strip() for item in text.split("|")]


GRAMMAR: dict[str, list[Entry]] = {
    "headline": [
        # Politics and government
        ("{official_named} {pol_vp}", 6, 4),
        ("{legislature} {legislature_vp}", 3, 1.5),
        ("{agency} {agency_vp}", 3, 2),
        ("{official_named} {slams} {rival} over {issue_or_trivia}", 3, 1.2),
        ("{official_named}: '{quote}'", 2, 1.2),
        ("{legislature} passes bill to {policy}", 2.5, 1.5),
        ("{court} {court_vp}", 2, 0.5),
        # People
        ("{person} {person_vp}", 6, 9),
        ("{aged_person} {person_vp}", 1.5, 2),
        ("'{quote}' says {person} {contradiction}", 0.4, 2.5),
        ("{person} who {past_dream} {settles_for}", 0.2, 1.5),
        ("{person} {person_vp}, {aside}", 0.6, 1.8),
        # Groups and the nation
        ("{group} {group_vp}", 4, 3),
        ("nation's {group} {group_vp}", 0.4, 2.5),
        ("{group} across {country_or_nation} {group_vp}", 0.8, 1.2),
        ("{workforce} {strike} over {labor_issue} in {state}", 1.5, 0.4),
        # Studies, polls and reports
        ("study finds {finding}", 2.5, 3),
        ("report: {finding}", 0.7, 2.5),
        ("poll: {finding}", 1.2, 0.8),
        ("{experts} warn {warning}", 2, 2),
        ("{pct} of {group} {stat_vp}", 1.5, 1.5),
        # Business and technology
        ("{company} unveils new {product} {product_tail}", 2, 2.5),
        ("{company} to cut {bignum} jobs {cut_tail}", 1.5, 1),
        ("{company} apologizes for {offense}", 1.2, 1.5),
        ("@r {company} ceo {ceo_vp}", 1.5, 1.5),
        # Celebrities and culture
        ("{celebrity} {celeb_vp}", 5, 2.5),
        ("watch {celebrity} {perform}", 2, 0.3),
        ("{celebrity} and {celebrity} {couple_vp}", 1.5, 0.5),
        # HuffPost-style service and clickbait
        ("{small_num} {listicle}", 4.5, 0.8),
        ("here's {heres}", 2.5, 0.5),
        ("why {why}", 2, 0.8),
        ("how to {life_goal} {how_tail}", 2, 0.8),
        ("this {clickbait_subject} {clickbait_tail}", 2, 0.4),
        ("what {group} need to know about {issue}", 1.5, 0.3),
        ("the {best_adj} {best_thing}", 2, 0.5),
        # World and local news
        ("{small_num} dead after {disaster} hits {place}", 1.5, 0.2),
        ("{place} {place_vp}", 2, 1.5),
        ("police {police_vp}", 2, 1),
        ("{country} and {country} agree to {accord}", 1, 0.7),
        ("protests erupt in {city} over {issue}", 1, 0.3),
    ],
    # ---------------------------------------------------------------- politics
    "official_named": _alts("@r {official} {surname} | @r {official} {surname} | @r {official}"),
    "official": _alts(
        "senator | governor | mayor | congressman | congresswoman | house speaker | attorney "
        "general | secretary of state | press secretary | education secretary | supreme court "
        "justice | city council member | fed chair | state lawmaker | sheriff | police chief | "
        "ambassador | president | vice president | candidate"
    ),
    "surname": _alts(
        "hale | whitfield | moreno | brennan | okafor | lindqvist | castillo | pruitt | delgado | "
        "harrington | novak | baptiste | kessler | abernathy | yoon | marsh | calloway | ramos | "
        "sutherland | mendez | hollis | crane | odom | fairbanks"
    ),
    "legislature": _alts(
        "senate | house | congress | state legislature | city council | school board | {state} "
        "house | {state} senate"
    ),
    "agency": _alts(
        "white house | pentagon | fda | cdc | nasa | federal reserve | epa | irs | department of "
        "education | state department | fbi | un"
    ),
    "pol_vp": [
        ("says {issue} will be top priority", 3, 0.6),
        ("unveils plan to tackle {issue}", 3, 1),
        ("unveils plan to {absurd_policy}", 0.3, 3),
        ("calls for investigation into {scandal}", 2.5, 0.6),
        ("announces run for {office}", 2.5, 0.8),
        ("announces run for {office} in hopes of {trivial_goal}", 0.2, 2),
        ("resigns amid {scandal}", 2.5, 0.8),
        ("faces backlash over {gaffe}", 2.5, 0.8),
        ("vetoes bill on {issue}", 2, 0.5),
        ("defends {policy_noun} in heated interview", 2, 0.6),
        ("{mundane_act} during {solemn_event}", 0.2, 3),
        ("vows to do something about {trivia}", 0.3, 2.5),
        ("vows to do something about {issue}", 1.5, 1.5),
        ("assures nation {reassurance}", 0.4, 2.5),
        ("admits {he} {has} no idea what {issue} is", 0.1, 2),
        ("announces {he} will spend more time with {his} {mundane_noun}", 0.2, 2.5),
        ("announces {he} will spend more time with {his} family", 1.2, 0.6),
        ("pretty sure {he} could {feat}", 0.1, 2),
        ("meets with {group} to discuss {issue}", 2.5, 1),
        ("meets with {group} to discuss {trivia}", 0.2, 2),
        ("tests positive for covid", 1, 0.3),
        ("signs executive order on {issue}", 2, 0.8),
        ("signs executive order on {trivia}", 0.2, 2),
        ("visits {place} after {disaster}", 1.5, 0.4),
        ("visits {place} to see if anyone there still likes {him}", 0.1, 1.5),
        ("{feeling} after {trivial_event}", 0.2, 2),
        ("quietly {mundane_act}", 0.2, 1.5),
        ("says {he} {is} {feeling_adj} about {issue}", 1.2, 1),
        ("says {he} {is} {feeling_adj} about {trivia}", 0.2, 1.5),
    ],
    "legislature_vp": [
        ("approves {bignum} million for {issue}", 2, 0.8),
        ("approves {bignum} million for {trivia}", 0.2, 2),
        ("delays vote on {issue}", 1.5, 0.6),
        ("holds hearing on {issue}", 2, 0.8),
        ("holds emergency hearing on {trivia}", 0.1, 2),
        ("rejects {policy_noun}", 1.5, 0.5),
        ("quietly {org_absurd}", 0.3, 2.5),
        ("votes to {policy_real}", 2, 0.5),
        ("votes to {absurd_policy}", 0.1, 2),
    ],
    "agency_vp": [
        ("announces new rules for {issue}", 2.5, 0.8),
        ("announces new rules for {trivia}", 0.2, 2),
        ("denies report of {scandal}", 2, 0.8),
        ("launches investigation into {scandal}", 2, 0.6),
        ("launches investigation into {trivia}", 0.1, 2),
        ("quietly {org_absurd}", 0.3, 2.5),
        ("warns of {crisis}", 1.5, 0.6),
        ("warns nation running dangerously low on {scarce}", 0.1, 2),
        ("still trying to figure out {tech_confusion}", 0.2, 2),
        ("releases new guidelines on {health_topic}", 1.5, 0.5),
        ("releases new guidelines on {trivia}", 0.1, 1.5),
    ],
    "crisis": _alts(
        "the housing crisis | rising inflation | the opioid crisis | the drought | the teacher "
        "shortage | wildfire season | rising rents | the nursing shortage | a possible recession"
    ),
    "org_absurd": _alts(
        "replaces {issue} plan with motivational poster | adds another floor to make room for "
        "more meetings | moves all its meetings to the parking lot | begins charging visitors for "
        "directions | admits it has been closed since march | rebrands as a lifestyle company | "
        "hires consultant to find out what it does"
    ),
    "slams": _alts("slams | blasts | criticizes | rips | calls out | pushes back against"),
    "rival": [
        "{official_plain}",
        "{official_plain}",
        ("critics", 1.5, 0.5),
        ("{company}", 1, 1),
        ("{his} own staff", 0.3, 1.2),
        ("{his} {relative}", 0.1, 1.5),
        ("waiter", 0.1, 1.2),
        ("{celebrity}", 1, 0.5),
        ("the media", 1.5, 0.8),
    ],
    "official_plain": _alts("{official} {surname} | {official}"),
    "relative": _alts(
        "wife | husband | mother | father | brother | sister | mother-in-law | son | daughter | "
        "dog | cat | neighbor | roommate | dentist"
    ),
    "issue_or_trivia": [("{issue}", 3, 0.6), ("{trivia}", 0.2, 3)],
    "issue": _alts(
        "health care | climate change | gun control | immigration | student debt | minimum wage | "
        "voting rights | tax reform | police reform | the opioid crisis | housing costs | border "
        "security | paid leave | drug prices | school safety | trade | the budget | "
        "infrastructure | wildfires | the economy | inflation | abortion | foreign policy | the "
        "pandemic"
    ),
    "trivia": _alts(
        "the office thermostat | leftover pizza | a group text | {his} fantasy football team | "
        "the dishwasher | a parking spot | the last cookie | a reply all email | the wifi "
        "password | the self checkout machine | {his} neighbor's leaf blower | decorative pillows "
        "| an expired coupon | the correct way to load a dishwasher | whose turn it is to take "
        "out the trash | the remote control | a slightly damp towel | the new sandwich at work | "
        "people who clap when the plane lands | the height of {his} desk chair | a sticky drawer "
        "| the ending of a tv show | daylight saving time | {his} lawn | the break room microwave"
    ),
    "mundane_noun": _alts(
        "lawn | houseplants | fantasy football team | sourdough starter | grill | recliner | "
        "podcast | garage | model trains | phone | collection of novelty mugs | inbox | boat | "
        "couch"
    ),
    "policy": [
        ("{policy_real}", 3, 0.5),
        ("{absurd_policy}", 0.2, 3),
    ],
    "policy_real": _alts(
        "lower drug prices | expand rural broadband | raise the minimum wage | protect voting "
        "rights | fund road repairs | expand access to child care | ban assault weapons | cut "
        "taxes for small businesses | protect national parks | reform the bail system | cap "
        "insulin costs | improve veterans' health care | fund school lunches | speed up disaster "
        "relief"
    ),
    "absurd_policy": _alts(
        "make wednesday a little shorter | ban people from explaining movies during the movie | "
        "replace the national anthem with a shorter one | give every american one free nap | make "
        "small talk illegal before 10 am | fund research into why printers never work | require "
        "all meetings to end five minutes early | let the nation start over on monday | install a "
        "snooze button on the economy | rename the budget deficit something more upbeat | put the "
        "moon somewhere more convenient | declare the weekend three days long out of spite"
    ),
    "policy_noun": _alts(
        "tax plan | health care bill | travel ban | budget proposal | border policy | climate "
        "plan | education reform | trade deal"
    ),
    "office": _alts(
        "president | senate | governor | mayor | congress | city council | school board | county "
        "sheriff"
    ),
    "trivial_goal": _alts(
        "getting a better parking spot | finally impressing {his} father | getting out of jury "
        "duty | meeting a celebrity | having something to talk about at parties | avoiding {his} "
        "in-laws | getting free snacks"
    ),
    "scandal": _alts(
        "campaign finance violations | leaked emails | sexual harassment allegations | misuse of "
        "funds | a secret meeting with lobbyists | voter fraud claims | a bribery scheme | "
        "insider trading | missing documents | a conflict of interest"
    ),
    "gaffe": _alts(
        "comments about {group} | remarks on {issue} | a deleted tweet | a leaked video | a "
        "controversial photo | {his} vote on {issue} | a joke about {place} | an awkward "
        "handshake"
    ),
    "solemn_event": _alts(
        "impeachment hearing | state funeral | budget negotiations | national address | moment of "
        "silence | peace talks | swearing-in ceremony | emergency briefing | {his} own "
        "inauguration"
    ),
    "reassurance": _alts(
        "everything is under control | the economy is fine if you don't look at it | {he} {has} "
        "read most of the bill | the plan is almost finished | no one will notice the missing "
        "money | the bridge will probably hold | things can only get better from here | there is "
        "nothing to see here"
    ),
    "court": _alts("supreme court | federal judge | appeals court | state court | judge"),
    "court_vp": [
        "blocks {policy_noun}",
        "rules on {issue} case",
        "upholds {policy_noun}",
        "strikes down {policy_noun}",
        "hears arguments on {issue}",
        "refuses to hear {issue} case",
        ("rules {trivia} unconstitutional", 0.1, 3),
    ],
    "quote": [
        ("we are better than this", 2, 0.5),
        ("the american people deserve answers", 2, 0.5),
        ("this is not who we are", 2, 0.5),
        ("we will not back down", 2, 0.5),
        ("{issue} is a moral issue", 2, 0.4),
        ("i have never been more hopeful", 1, 1),
        ("i'm totally fine", 0.2, 2.5),
        ("this is the best day of my life", 0.4, 2),
        ("i have everything under control", 0.3, 2),
        ("i could quit any time i want", 0.1, 2),
        ("i'm not even that tired", 0.1, 2),
        ("nobody will notice", 0.1, 2),
        ("i love my job", 0.3, 2),
        ("money can't buy happiness", 0.3, 1.5),
        ("i'm just here to help", 0.5, 1.5),
    ],
    # ---------------------------------------------------------------- people
    "person": [
        ("@r {place_mod} {person_noun}", 1, 1.2),
        ("{person_noun}", 1, 0.7),
        ("{described_person}", 1, 0.6),
    ],
    "place_mod": [
        ("area", 0.05, 1.5),
        ("local", 0.8, 1.5),
        ("{state}", 1.5, 0.6),
        ("florida", 0.8, 0.5),
        ("suburban", 0.3, 1),
        ("{city}", 1, 0.4),
    ],
    "described_person": [
        ("@n retired teacher", 1, 0.5),
        ("@n retired firefighter", 0.8, 0.4),
        ("@n college student", 1, 0.8),
        ("@m unemployed dad", 0.5, 1),
        ("@f single mom", 0.8, 0.6),
        ("@m divorced dad", 0.3, 1),
        ("@n exhausted nurse", 0.4, 0.8),
        ("@n army veteran", 1, 0.3),
        ("@n homeless veteran", 0.8, 0.2),
        ("@n visibly nervous intern", 0.05, 1),
        ("@n self-described people person", 0.05, 1),
        ("@n transgender teen", 0.6, 0.1),
        ("@f muslim woman", 0.6, 0.1),
        ("@n deaf student", 0.4, 0.1),
        ("@n black teen", 0.6, 0.2),
        ("@n undocumented immigrant", 0.7, 0.2),
        ("@m gay man", 0.5, 0.2),
        ("@n middle manager", 0.1, 1),
    ],
    "aged_person": _alts(
        "@m {adult_age}-year-old man | @f {adult_age}-year-old woman | @m {kid_age}-year-old boy "
        "| @f {kid_age}-year-old girl | @n {kid_age}-year-old | @f {old_age}-year-old grandmother "
        "| @m {old_age}-year-old veteran"
    ),
    "kid_age": _alts("5 | 6 | 8 | 9 | 11 | 12 | 14 | 16"),
    "adult_age": _alts("19 | 25 | 29 | 34 | 38 | 41 | 47 | 52 | 58 | 63"),
    "old_age": _alts("80 | 87 | 92 | 96 | 101 | 104"),
    "person_noun": _alts(
        "@m man | @f woman | @m dad | @f mom | @m father | @f mother | @m grandfather | @f "
        "grandma | @n teen | @n student | @n teacher | @n nurse | @n doctor | @n employee | @n "
        "coworker | @m husband | @f wife | @n firefighter | @n couple | @n driver | @n waitress | "
        "@n mailman | @n intern | @n roommate | @n manager | @n neighbor | @n parent | @n voter | "
        "@n fan"
    ),
    "person_vp": [
        # the news kind
        ("arrested after {crime_event}", 3, 0.6),
        ("charged with {crime}", 2, 0.4),
        ("sues {sue_target} over {grievance}", 2, 0.6),
        ("sues {sue_target} over {trivia}", 0.1, 1.5),
        ("dies after {accident}", 1.5, 0.2),
        ("rescued after {small_num} days {lost_where}", 1.5, 0.3),
        ("wins {prize} for {achievement}", 2, 0.5),
        ("wins {prize} for {mundane_achievement}", 0.2, 2),
        ("builds {build_thing} for {beneficiary}", 1.5, 0.5),
        ("raises {bignum} dollars for {cause}", 1.5, 0.4),
        ("shares {his} story of {hardship}", 2, 0.3),
        ("opens up about {personal_topic}", 2, 0.6),
        ("opens up about {trivia}", 0.2, 2),
        ("goes viral for {viral_act}", 2, 0.5),
        ("turns {his} {old_thing} into {new_thing}", 1.2, 0.8),
        ("finds {found_thing} in {found_place}", 1.5, 1.5),
        ("gets surprise visit from {visitor}", 1.5, 0.5),
        ("gives birth to {twins}", 1.2, 0.2),
        ("reunited with {lost_pet} after {small_num} years", 1.3, 0.3),
        ("finally {mundane_act}", 0.8, 2.5),
        ("finally {life_event}", 1, 0.6),
        # the satire kind
        ("pretty sure {he} could {feat}", 0.05, 2.5),
        ("reluctantly {mundane_act}", 0.1, 1.5),
        ("bravely {mundane_act}", 0.05, 2),
        ("just wants {want}", 0.2, 2),
        ("has been meaning to {mundane_task} for {duration}", 0.1, 2),
        ("can't believe {he} {has} to {mundane_task} again {when}", 0.1, 2),
        ("announces plan to {mundane_task}", 0.3, 2),
        ("announces plan to {life_plan}", 1, 0.4),
        ("still not over {trivial_event}", 0.1, 2),
        ("{feeling} after {trivial_event}", 0.2, 2.5),
        ("spends {duration} {ing_task}", 0.3, 2),
        ("quietly {mundane_act} {secret_context}", 0.1, 1.8),
        ("would rather {extreme} than {mundane_task}", 0.1, 2),
        ("determined to {mundane_task} this year", 0.3, 1.5),
        ("thinks {he} might be {self_diagnosis}", 0.3, 1.5),
        ("carefully explains {trivia} to {his} {relative}", 0.1, 1.5),
        ("takes {his} {relative} to see {celebrity} in concert", 0.8, 0.4),
        ("writes heartfelt letter to {his} {relative}", 1.2, 0.3),
        ("writes heartfelt letter to {trivia}", 0.05, 1.5),
    ],
    "crime_event": [
        "police chase in {place}",
        "stealing {stolen_thing}",
        "fight at {venue}",
        "crashing car into {crash_target}",
        "threatening {victims}",
        "shooting at {venue}",
        "break-in at {venue}",
        "bomb threat at {venue}",
        ("trying to pay with {fake_money}", 0.5, 1.5),
        ("refusing to leave {venue}", 0.8, 1.2),
    ],
    "crime": _alts(
        "murder | fraud | arson | assault | theft | drunk driving | tax evasion | hate crime | "
        "kidnapping | animal cruelty | stalking"
    ),
    "stolen_thing": _alts(
        "a police car | {bignum} pounds of cheese | a school bus | {his} neighbor's mail | a "
        "famous painting | catalytic converters | a live lobster | holiday decorations | a golf "
        "cart"
    ),
    "venue": _alts(
        "walmart | high school football game | airport | city hall | fast food restaurant | "
        "wedding | church | gas station | bar | hospital | mall | school board meeting | little "
        "league game | concert"
    ),
    "crash_target": _alts(
        "lake | police station | pharmacy | swimming pool | {his} own house | ice cream shop"
    ),
    "violent_crime": _alts(
        "murder | arson | assault | kidnapping | robbery | hit-and-run | stabbing | carjacking"
    ),
    "victims": _alts("neighbors | coworkers | police | teachers | a school | a mosque"),
    "fake_money": _alts("monopoly money | a fake bill | a drawing of a check | a gift card"),
    "sue_target": _alts(
        "{company} | {company} | former employer | school district | city | police department | "
        "hospital | {his} {relative} | the state"
    ),
    "grievance": _alts(
        "discrimination | unpaid wages | wrongful arrest | unsafe conditions | false advertising "
        "| a data breach | injuries | a denied claim | wrongful firing"
    ),
    "accident": _alts(
        "falling from cliff | car crash in {place} | eating contaminated food | being struck by "
        "lightning | house fire | boating accident | bear attack"
    ),
    "lost_where": _alts(
        "in the desert | at sea | in the woods | on a mountain | in a cave | in {place}"
    ),
    "prize": _alts(
        "award | scholarship | national title | {bignum} dollars | lottery | medal | prize | "
        "contest"
    ),
    "achievement": _alts(
        "saving a drowning child | work with refugees | cancer research | invention that cleans "
        "oceans | short film about {hardship} | book on {issue} | teaching in {place}"
    ),
    "mundane_achievement": _alts(
        "keeping houseplant alive | remembering everyone's name at party | sitting through entire "
        "meeting | not checking phone for an hour | owning the same toaster for 30 years | being "
        "there | parallel parking on first try"
    ),
    "build_thing": _alts(
        "tiny house | wheelchair ramp | treehouse | library | garden | robotic arm | playground"
    ),
    "beneficiary": _alts(
        "homeless veterans | {his} neighbors | sick children | {his} {relative} | rescue dogs | "
        "refugee families"
    ),
    "cause": _alts(
        "cancer research | hurricane victims | local food bank | animal shelter | school lunches "
        "| wildfire relief"
    ),
    "hardship": _alts(
        "addiction | surviving cancer | living with depression | losing {his} home | racism | "
        "domestic violence | growing up poor | leaving {country} | miscarriage | homelessness"
    ),
    "personal_topic": _alts(
        "{his} depression | {his} divorce | anxiety | coming out | body image | grief | fertility "
        "struggles | {his} childhood | sobriety | therapy | life after prison"
    ),
    "viral_act": _alts(
        "singing to {his} patients | dance video | emotional speech | helping stranger | "
        "hilarious sign | wedding photos | kind note | response to bullies"
    ),
    "old_thing": _alts("school bus | garage | shipping container | backyard | old van | barn"),
    "new_thing": [
        "tiny home",
        "art studio",
        "free library",
        "food pantry",
        "escape room",
        ("shrine to {his} fantasy football team", 0.05, 2),
        ("fortress nobody is allowed to enter", 0.05, 2),
    ],
    "found_thing": [
        ("rare diamond", 2, 0.5),
        ("message in a bottle", 2, 0.5),
        ("ancient coins", 2, 0.5),
        ("snake", 1.5, 0.6),
        ("winning lottery ticket", 1.5, 0.6),
        ("meaning of life", 0.05, 2),
        ("{his} true calling", 0.3, 1.5),
        ("20 dollars", 0.5, 1.5),
        ("old love letter", 1, 0.5),
        ("half-eaten sandwich", 0.2, 1.5),
    ],
    "found_place": [
        ("state park", 2, 0.5),
        ("backyard", 1.5, 1),
        ("attic", 1.5, 1),
        ("thrift store", 1.5, 1),
        ("back of cereal box", 0.05, 2),
        ("old coat pocket", 0.5, 1.5),
        ("couch cushions", 0.3, 1.5),
        ("the ocean", 1, 0.3),
    ],
    "visitor": _alts(
        "{celebrity} | favorite athlete | {his} soldier son | firefighters who saved {him} | high "
        "school teacher"
    ),
    "twins": _alts("twins | triplets | rare quadruplets | baby on airplane | baby in car"),
    "lost_pet": _alts("dog | cat | parrot | tortoise | missing dog"),
    "life_event": _alts(
        "graduates from college at {old_age} | gets married | becomes a citizen | comes home | "
        "gets kidney transplant | returns to work | retires"
    ),
    "life_plan": _alts(
        "run for office | open a bakery | hike the appalachian trail | adopt {small_num} children "
        "| sail around the world | go back to school"
    ),
    "mundane_act": _alts(
        "returns shopping cart to corral | replies to email from 2019 | folds fitted sheet | "
        "makes phone call | cleans out fridge | unsubscribes from newsletter | parallel parks | "
        "reads terms and conditions | eats salad | goes to gym | changes lightbulb | waters "
        "houseplant | assembles bookshelf | learns coworker's name | makes eye contact with "
        "neighbor | leaves house | replaces smoke detector battery | calls {his} mother | takes "
        "out recycling | answers door | drinks glass of water | finishes book | empties "
        "dishwasher | cancels gym membership | uses turn signal | checks fantasy football scores "
        "| eats cereal | updates {his} resume"
    ),
    "mundane_task": _alts(
        "make a phone call | do laundry | go to the dentist | call {his} mother | clean the "
        "gutters | file taxes | answer emails | go grocery shopping | make dinner | go to work | "
        "talk to {his} neighbors | get a haircut | exercise | fix the sink | read a book | learn "
        "guitar | get out of bed | be an adult"
    ),
    "ing_task": _alts(
        "trying to open a jar | looking for {his} phone | pretending to work | deciding what to "
        "watch | rehearsing phone call | scrolling through photos of {his} ex | arguing with "
        "automated phone system | waiting for microwave | reading reviews of a toaster | staring "
        "at the fridge"
    ),
    "feat": _alts(
        "beat a bear in a fight | land a plane in an emergency | run a small country | win an "
        "olympic medal with some practice | fix the economy over a weekend | be a professional "
        "chef | solve {issue} if people would just listen | survive in the wild | take a punch "
        "from a boxer | play in the nba"
    ),
    "want": _alts(
        "one day without a meeting | someone to ask about {his} day | {his} family to listen | to "
        "be left alone with {his} {mundane_noun} | the tv remote | a little recognition for "
        "{mundane_achievement} | everyone to stop talking about {issue} | to go home"
    ),
    "duration": _alts(
        "{small_num} years | {small_num} hours | entire weekend | most of {his} adult life | "
        "three decades | {small_num} months | an entire afternoon"
    ),
    "when": _alts("tomorrow | next week | on monday | this year | after lunch"),
    "trivial_event": _alts(
        "losing board game | being left out of group chat | spilling coffee | waiter telling "
        "{him} to enjoy meal | coworker's birthday party | reality show finale | running out of "
        "hot sauce | someone took the last cookie | the 2009 office party | wrong pizza order | "
        "losing fantasy football game | friend's vacation photos | minor fender bender | being "
        "called sir"
    ),
    "feeling": _alts(
        "devastated | heartbroken | furious | shaken | inspired | humbled | emotionally drained | "
        "still recovering"
    ),
    "feeling_adj": _alts("optimistic | concerned | hopeful | worried | confident | frustrated"),
    "secret_context": _alts(
        "so nobody notices | while wife is out of town | at 3 am | to feel something | during "
        "{solemn_event} | in front of {his} whole family | for first time since 1998"
    ),
    "extreme": _alts(
        "die | fake {his} own death | move to another country | walk into the ocean | fight a "
        "bear | eat a lightbulb | run for office"
    ),
    "self_diagnosis": _alts(
        "a genius | allergic to work | the main character | a morning person | psychic | too good "
        "for this town | ready for a dog"
    ),
    "past_dream": _alts(
        "wanted to change the world | dreamed of becoming an astronaut | once played in a band | "
        "promised to write a novel | swore {he} would never turn into {his} father | wanted to be "
        "a rock star"
    ),
    "settles_for": _alts(
        "settles for changing profile picture | now sells insurance | settles for reorganizing "
        "spice rack | now manages regional office supply store | buys a slightly larger grill | "
        "now writes angry online reviews | finally sees the world from {his} recliner"
    ),
    "aside": [
        "sources confirm",
        "report finds",
        "family says",
        ("police say", 2, 0.6),
        ("officials say", 2, 0.6),
        ("and {he} {is} not sorry", 0.1, 1.5),
        ("just like {he} planned", 0.1, 1.5),
        ("which is honestly fine", 0.05, 1.5),
    ],
    "contradiction": [
        "sobbing into {his} leftover pizza",
        "while screaming into pillow",
        "from inside burning car",
        "on {his} fourth energy drink",
        "while hiding from {his} boss",
        "after losing everything in a bet",
        "moments before breaking down",
        ("after winning {prize}", 1.5, 0.5),
        ("at rally in {place}", 1.5, 0.5),
        ("at press conference", 1.5, 0.5),
    ],
    # ---------------------------------------------------------------- groups
    "group": _alts(
        "teachers | nurses | parents | millennials | retirees | students | voters | scientists | "
        "doctors | farmers | dads | moms | teens | americans | commuters | democrats | "
        "republicans | lawmakers | economists | pet owners | women | men | workers | immigrants | "
        "veterans | fans"
    ),
    "country_or_nation": _alts("the country | america | the nation | {state}"),
    "group_vp": [
        ("warn of {crisis}", 2, 0.6),
        ("struggle as {crisis} worsens", 2, 0.6),
        ("head to the polls", 1.5, 0.3),
        ("rally for {issue}", 2, 0.4),
        ("push back against {policy_noun}", 1.5, 0.5),
        ("share their stories of {hardship}", 1.5, 0.2),
        ("are turning to {trend} to cope with {issue}", 1.2, 0.6),
        ("blamed for killing {industry}", 0.6, 2),
        ("gather to stare at hole in ground", 0.05, 2),
        ("demand to know who touched the thermostat", 0.05, 2),
        ("report feeling {feeling_adj} about {trivia}", 0.1, 2),
        ("report feeling {feeling_adj} about {issue}", 1.5, 0.6),
        ("celebrate {trivia}", 0.05, 1.8),
        ("celebrate {celebration}", 1.2, 0.4),
        ("unsure what to do with {his} hands", 0.05, 1.5),
        ("quietly {group_absurd}", 0.05, 2),
        ("can't stop talking about {trivia}", 0.2, 1.5),
        ("can't stop talking about {show}", 1.2, 0.5),
        ("are spending less on {spend}", 1.5, 0.5),
        ("still waiting for {promise}", 0.5, 1.5),
    ],
    "workforce": _alts(
        "teachers | nurses | autoworkers | hotel workers | flight attendants | dock workers | fast "
        "food workers | baristas | bus drivers | hospital workers"
    ),
    "strike": _alts("strike | walk out | threaten to strike | rally"),
    "labor_issue": [
        ("pay", 2, 0.5),
        ("staffing", 1.5, 0.3),
        ("health benefits", 1.5, 0.3),
        ("working conditions", 1.5, 0.3),
        ("safety", 1, 0.3),
        ("{trivia}", 0.05, 2),
        ("the new coffee machine", 0.05, 1.5),
    ],
    "group_absurd": _alts(
        "agree to pretend last year never happened | begin hoarding paper towels again | take "
        "over the grill without asking | form union to demand longer naps | cancel plans they "
        "never intended to keep"
    ),
    "trend": _alts("yoga | therapy | gardening | podcasts | side hustles | crafting | running"),
    "industry": _alts(
        "the napkin industry | golf | department stores | cable tv | diamonds | casual dining | "
        "the doorbell"
    ),
    "celebration": _alts(
        "pride month | supreme court ruling | end of school year | the holidays | historic win | "
        "world series victory"
    ),
    "show": _alts(
        "the new season of {show_name} | the series finale | the oscars | the super bowl"
    ),
    "show_name": _alts("the crown | stranger things | the bachelor | game of thrones | the office"),
    "spend": _alts("groceries | vacations | restaurants | clothing | cars | gifts"),
    "promise": _alts(
        "the raise they were promised | the flying cars they were promised | {issue} reform | the "
        "stimulus check | someone to explain the plot"
    ),
    # ---------------------------------------------------------------- studies and reports
    "finding": [
        ("{health_x} linked to higher risk of {disease}", 3, 0.6),
        ("{health_x} may lower risk of {disease}", 2.5, 0.6),
        ("{pct} of {group} {stat_vp}", 2, 2),
        ("most {group} have no idea what they are doing", 0.1, 2),
        ("{trivia} now leading cause of {emotion}", 0.05, 2.5),
        ("{group} happiest when {happy_when}", 0.3, 2),
        ("{issue} costs the economy {billions} billion dollars a year", 2, 0.5),
        ("{group} are more stressed than ever", 1.5, 1),
        ("nation's {group} {stat_vp}", 0.2, 2),
        ("{his} {relative} was right all along", 0.05, 1.5),
        ("average american spends {duration} {ing_task}", 0.3, 2),
        ("{group} still prefer {preference}", 1, 1),
    ],
    "health_x": _alts(
        "sitting all day | coffee | social media | sugary drinks | poor sleep | air pollution | "
        "red meat | loneliness | screen time | walking | eating fish | daily exercise"
    ),
    "disease": _alts(
        "heart disease | dementia | diabetes | depression | cancer | stroke | obesity | early death"
    ),
    "stat_vp": [
        ("can't afford a 400 dollar emergency", 2, 0.5),
        ("support stricter gun laws", 2, 0.3),
        ("live paycheck to paycheck", 2, 0.5),
        ("say they feel burned out at work", 1.5, 1),
        ("have skipped medical care because of cost", 1.5, 0.3),
        ("would rather {extreme} than {mundane_task}", 0.05, 2.5),
        ("have no memory of the last five years", 0.05, 2),
        ("secretly enjoy {trivia}", 0.05, 2),
        ("pretend to understand {issue}", 0.1, 2),
        ("think they could {feat}", 0.05, 2),
        ("don't know their neighbors' names", 1, 1),
        ("check their phones within minutes of waking up", 1, 1),
    ],
    "emotion": _alts("stress | divorce | despair | family arguments | workplace rage"),
    "happy_when": _alts(
        "plans get canceled | nobody asks them anything | someone else is driving | the meeting "
        "could have been an email"
    ),
    "preference": _alts("cash | paper books | cable tv | landlines | working from home"),
    "experts": [("experts", 2, 2), ("scientists", 2, 1.2), ("doctors", 1.5, 0.8)],
    "warning": [
        ("{crisis} could get worse this year", 2, 0.6),
        ("of {disease} risk from {health_x}", 2, 0.5),
        ("of record heat this summer", 1.5, 0.3),
        ("nation running dangerously low on {scarce}", 0.05, 2.5),
        ("{trivia} could collapse at any moment", 0.05, 2),
        ("{group} not ready for {issue}", 1, 1),
        ("americans may soon have to {mundane_task} themselves", 0.05, 2),
    ],
    "scarce": _alts(
        "things to talk about | patience | clean towels | good ideas | new names for babies | "
        "reasons to leave the house"
    ),
    "pct": _alts(
        "40 percent | 60 percent | 70 percent | 87 percent | half | a third | nearly half | 1 in "
        "4 | 98 percent"
    ),
    # ---------------------------------------------------------------- business
    "company": _alts(
        "tech company | major airline | fast food chain | cable company | bank | streaming "
        "service | car maker | drug company | retailer | insurance company | startup | coffee "
        "chain | social media company | toy maker | phone company"
    ),
    "product": _alts(
        "phone | smartwatch | burger | car | app | credit card | laptop | subscription plan | "
        "speaker | mattress"
    ),
    "product_tail": [
        ("with longer battery life", 2, 0.4),
        ("aimed at younger customers", 2, 0.4),
        ("amid falling sales", 2, 0.4),
        ("to rival competitors", 1.5, 0.4),
        ("after years of delays", 1.5, 0.6),
        ("that just tells you to go outside", 0.05, 2),
        ("that does nothing", 0.05, 2),
        ("designed to be lost immediately", 0.05, 2),
        ("that judges you silently", 0.05, 2),
        ("that comes with a smaller version of itself", 0.05, 1.5),
        ("for people who have given up", 0.05, 2),
    ],
    "bignum": _alts("100 | 500 | 2000 | 10000 | 12 | 300 | 45 | 5000"),
    "cut_tail": [
        ("amid falling profits", 2, 0.5),
        ("as sales slump", 2, 0.5),
        ("after merger", 1.5, 0.5),
        ("and replace them with {replacement}", 0.1, 2.5),
        ("to fund ceo's new {yacht}", 0.1, 2),
    ],
    "replacement": _alts(
        "a motivational poster | one very tired intern | a golden retriever | a vending machine | "
        "the ceo's nephew"
    ),
    "billions": _alts("10 | 25 | 50 | 100 | 300"),
    "yacht": _alts("yacht | yacht's yacht | private island | space trip"),
    "offense": [
        ("data breach", 2, 0.5),
        ("racist ad", 1.5, 0.3),
        ("{small_num} hour outage", 1.5, 0.8),
        ("passenger being dragged from flight", 1, 0.5),
        ("letting customers believe things would get better", 0.05, 2),
        ("nothing in particular", 0.05, 2),
        ("making you feel something", 0.05, 2),
        ("{trivia}", 0.1, 2),
    ],
    "ceo_vp": [
        ("steps down amid {scandal}", 2, 0.5),
        ("defends layoffs", 1.5, 0.5),
        ("testifies before congress", 1.5, 0.5),
        ("gets {bignum} million bonus", 1.5, 0.8),
        ("gets {bignum} million bonus for {mundane_achievement}", 0.05, 2),
        ("admits {he} {has} no idea what company does", 0.05, 2),
        ("tells workers to {mundane_task} less", 0.1, 1.5),
        ("vows to {policy_real}", 1, 0.3),
    ],
    # ---------------------------------------------------------------- celebrities
    "celebrity": _alts(
        "@f singer kira vance | @m actor jonah reyes | @f tessa bloom | @m marcus lane | @f talk "
        "show host dana price | @m rapper lil crest | @f reality star bree holt | @m quarterback "
        "tyler dunn | @m comedian sam ortiz | @f pop star nova quinn | @f actress lena marsh | @m "
        "chef rico salas"
    ),
    "celeb_vp": [
        ("opens up about {personal_topic}", 3, 0.5),
        ("shares sweet photo of {his} {relative}", 2.5, 0.5),
        ("slams critics over {issue}", 1.5, 0.4),
        ("{is} expecting {his} {ordinal} child", 1.5, 0.2),
        ("responds to rumors about {his} {relative}", 1.5, 0.5),
        ("stuns in {outfit} at {event}", 2, 0.3),
        ("announces new album", 1.5, 0.5),
        ("and {his} {relative} are too cute", 1, 0.2),
        ("gets candid about {hardship}", 1.5, 0.2),
        ("admits {he} {has} no idea what {his} songs are about", 0.05, 2),
        ("bravely poses without {trivial_item}", 0.05, 2),
        ("takes break from fame to focus on {his} {mundane_noun}", 0.05, 2),
        ("pretty sure {he} could {feat}", 0.05, 1.5),
        ("quietly {mundane_act}", 0.05, 1.5),
        ("{feeling} after {trivial_event}", 0.1, 1.5),
        ("speaks out on {issue}", 2, 0.4),
    ],
    "ordinal": _alts("first | second | third | fourth"),
    "outfit": _alts("red gown | sheer dress | vintage suit | bold look | sequin jumpsuit"),
    "event": _alts("the oscars | the met gala | the grammys | cannes | the golden globes"),
    "trivial_item": _alts("eyebrows | {his} phone | a scarf | sunglasses | an entourage"),
    "perform": _alts(
        "sing {show_name} theme | surprise fans at {venue} | roast {official_plain} | take on a "
        "spicy food challenge | cover a classic song | dance with {his} {relative}"
    ),
    "couple_vp": _alts(
        "are engaged | split after {small_num} years | welcome baby girl | welcome baby boy | "
        "make red carpet debut | tie the knot in {place}"
    ),
    # ---------------------------------------------------------------- huffpost-style service
    "small_num": _alts("2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 15 | 20"),
    "listicle": [
        ("ways to make your morning less stressful", 2, 0.4),
        ("things you didn't know about {topic}", 2, 0.4),
        ("tweets that perfectly sum up parenting", 2, 0.3),
        ("photos that prove {topic} is the best", 1.5, 0.4),
        ("tips to help you sleep better", 1.5, 0.3),
        ("books everyone should read about {issue}", 1.5, 0.3),
        ("things we learned from {show}", 1.5, 0.3),
        ("questions to ask before {life_step}", 1.5, 0.3),
        ("reasons to visit {place} this year", 1.5, 0.3),
        ("foods that may help you live longer", 1.2, 0.3),
        ("signs you're ready to {mundane_task}", 0.2, 1.5),
        ("signs you might be {self_diagnosis}", 0.3, 1.5),
        ("tips for pretending you {pretend}", 0.05, 2),
        ("reasons to never leave your couch again", 0.05, 1.5),
    ],
    "topic": _alts(
        "dogs | cats | your brain | summer | coffee | dating | grandparents | the royal family | "
        "{place} | working from home"
    ),
    "life_step": _alts("getting married | buying a house | changing jobs | having kids | retiring"),
    "pretend": _alts(
        "read the book | understand wine | have your life together | like your coworkers | are "
        "listening"
    ),
    "heres": [
        ("why you should stop {ing_habit}", 2, 0.5),
        ("what {group} think about {issue}", 2, 0.4),
        ("how {issue} affects {group}", 2, 0.4),
        ("what happens when you {mundane_task} every day", 1, 0.7),
        ("what it's really like to {life_step2}", 1.5, 0.3),
        ("the one thing you need to know about {issue}", 1.5, 0.4),
    ],
    "ing_habit": _alts(
        "checking your email at night | skipping breakfast | saying sorry | drinking soda | "
        "sitting all day"
    ),
    "life_step2": _alts(
        "be a nurse | raise twins | live in {place} | run for office | be a teacher"
    ),
    "why": [
        ("{group} are {ing_trend}", 2, 0.4),
        ("{issue} matters more than ever", 2, 0.4),
        ("the fight over {issue} is far from over", 1.5, 0.4),
        ("we need to talk about {issue}", 1.5, 0.4),
        ("your {relative} is secretly {self_diagnosis}", 0.2, 1.5),
        ("nobody can stop thinking about {trivia}", 0.1, 1.5),
    ],
    "ing_trend": _alts(
        "leaving big cities | quitting their jobs | skipping college | moving to {state} | "
        "turning to {trend}"
    ),
    "life_goal": _alts(
        "save money | sleep better | talk to kids about {issue} | get a raise | travel on a "
        "budget | eat healthier | make friends as an adult"
    ),
    "how_tail": [
        ("this year", 1.5, 0.5),
        ("without losing your mind", 1.5, 0.5),
        ("according to experts", 2, 0.4),
        ("in {small_num} easy steps", 1.5, 0.6),
        ("by simply giving up", 0.05, 2),
        ("while lying on the floor", 0.05, 1.5),
    ],
    "clickbait_subject": _alts(
        "dog's reaction to snow | teacher's lesson | dad's note | little girl's speech | photo of "
        "{place} | video | grandma"
    ),
    "clickbait_tail": [
        "will make your day",
        "is everything",
        "is going viral for all the right reasons",
        "will restore your faith in humanity",
        "is what we all need right now",
        ("is just fine, thanks", 0.1, 1.5),
    ],
    "best_adj": _alts("funniest | best | most important | worst | most beautiful"),
    "best_thing": _alts(
        "tweets from parents this week | photos from {event} | moments of the week | books of the "
        "year | movies of the year | quotes about {topic} | tweets about {topic} | looks from {event}"
    ),
    # ---------------------------------------------------------------- world and local news
    "disaster": _alts("earthquake | hurricane | tornado | flooding | wildfire | landslide | storm"),
    "place_vp": [
        ("declares state of emergency after {disaster}", 2, 0.4),
        ("votes to {policy_real}", 2, 0.5),
        ("votes to {absurd_policy}", 0.1, 2),
        ("bans {banned}", 1.5, 1),
        ("residents {residents_vp}", 1, 1.5),
        ("moves to {policy_real}", 1.5, 0.4),
        ("still not sure what {tech_confusion} is", 0.05, 1.5),
    ],
    "banned": [
        ("plastic bags", 2, 0.3),
        ("smoking in parks", 2, 0.3),
        ("fireworks", 1.5, 0.5),
        ("{trivia}", 0.05, 2),
        ("small talk", 0.05, 2),
    ],
    "residents_vp": [
        ("brace for {disaster}", 2, 0.3),
        ("clean up after {disaster}", 2, 0.3),
        ("report feeling vaguely {feeling_adj}", 0.05, 2),
        ("unsure who is in charge", 0.1, 1.5),
        ("divided over {issue}", 1.5, 0.5),
    ],
    "tech_confusion": _alts("the internet | a podcast | the cloud | an app | email"),
    "police_vp": [
        ("arrest {person} in {place} {violent_crime} case", 2, 0.3),
        ("search for suspect in {place} {violent_crime}", 2, 0.3),
        ("release video of {place} shooting", 1.5, 0.2),
        ("say {person} was arrested after {crime_event}", 0.6, 0.5),
        ("warn residents about {trivia}", 0.05, 2),
        ("still looking for whoever took {trivia}", 0.05, 2),
    ],
    "accord": [
        "peace talks",
        "a trade deal",
        "a ceasefire",
        "climate targets",
        "new sanctions",
        ("never speak of last week again", 0.05, 2),
        ("take turns being in charge", 0.05, 2),
    ],
    "place": _alts("{state} | {city} | {country}"),
    "state": _alts(
        "ohio | texas | florida | california | iowa | michigan | georgia | arizona | new york | "
        "oregon | alabama | kansas | nevada | maine | wisconsin"
    ),
    "city": _alts(
        "chicago | denver | houston | atlanta | seattle | boston | detroit | phoenix | portland | "
        "baltimore | miami | new orleans"
    ),
    "country": _alts(
        "mexico | canada | france | china | russia | brazil | india | germany | japan | iran | "
        "britain | australia"
    ),
    "health_topic": _alts("vaping | sleep | sugar | screen time | vaccines | alcohol"),
}

_SLOT = re.compile(r"\{(\w+)\}")
_PRONOUNS = {
    "m": {"his": "his", "him": "him", "he": "he", "has": "has", "is": "is"},
    "f": {"his": "her", "him": "her", "he": "she", "has": "has", "is": "is"},
    "n": {"his": "their", "him": "them", "he": "they", "has": "have", "is": "are"},
}
_AN = re.compile(r"\ba (?=[aeio])")
Table = tuple[list[str], list[float]]


def _tables() -> tuple[dict[str, Table], dict[str, Table]]:
    """Per symbol and per kind: the texts and their cumulative weights."""
    news: dict[str, Table] = {}
    satire: dict[str, Table] = {}
    for symbol, entries in GRAMMAR.items():
        texts: list[str] = []
        cum_news: list[float] = []
        cum_satire: list[float] = []
        total_news = total_satire = 0.0
        for entry in entries:
            text, w_news, w_satire = (entry, 1.0, 1.0) if isinstance(entry, str) else entry
            texts.append(text)
            total_news += w_news**CONTRAST
            total_satire += w_satire**CONTRAST
            cum_news.append(total_news)
            cum_satire.append(total_satire)
        news[symbol] = (texts, cum_news)
        satire[symbol] = (texts, cum_satire)
    return news, satire


_NEWS, _SATIRE = _tables()


class _Writer:
    """Expands the grammar for one kind of headline with one random stream."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.table = _NEWS
        self.gender = "n"

    def headline(self, satire: bool) -> str:
        self.table = _SATIRE if satire else _NEWS
        self.gender = "n"
        text = self.expand("headline")
        text = _AN.sub("an ", " ".join(text.split()))
        return text

    def expand(self, symbol: str) -> str:
        texts, cumulative = self.table[symbol]
        index = bisect.bisect_right(cumulative, self.rng.random() * cumulative[-1])
        text = texts[min(index, len(texts) - 1)]
        if text.startswith("@"):
            mark, text = text[1], text[3:]
            self.gender = ("m", "f")[int(self.rng.random() < 0.5)] if mark == "r" else mark
        return _SLOT.sub(self._slot, text)

    def _slot(self, match: re.Match[str]) -> str:
        name = match.group(1)
        if name in _PRONOUNS["m"]:
            return _PRONOUNS[self.gender][name]
        return self.expand(name)


def _slug(text: str) -> str:
    return "-".join(re.sub(r"[^a-z0-9 ]+", " ", text).split())


def _record(rng: np.random.Generator, headline: str, sarcastic: bool) -> dict[str, object]:
    words = _slug(headline).split("-")
    if sarcastic:
        number = 1819570000 + int(rng.integers(0, 30000))
        link = f"https://www.theonion.com/{'-'.join(words[:7])}-{number}"
    else:
        suffix = "".join(f"{int(b):02x}" for b in rng.integers(0, 256, 12))
        link = f"https://www.huffingtonpost.com/entry/{'-'.join(words[:5])}_us_{suffix}"
    return {"article_link": link, "headline": headline, "is_sarcastic": int(sarcastic)}


def generate(
    seed: int, stream: int, count: int, exclude: frozenset[str] = frozenset()
) -> list[dict[str, object]]:
    """``count`` records with distinct headlines (none in ``exclude``), deterministic per stream."""
    rng = np.random.default_rng([seed, 4, stream])
    writer = _Writer(rng)
    records: list[dict[str, object]] = []
    seen = set(exclude)
    while len(records) < count:
        sarcastic = bool(rng.random() < SARCASTIC_SHARE)
        headline = ""
        while not headline or headline in seen:  # a repeat is redrawn with the same label
            styled_as_satire = sarcastic != bool(rng.random() < STYLE_SWAP)
            headline = writer.headline(styled_as_satire)
        seen.add(headline)
        records.append(_record(rng, headline, sarcastic))
    return records


def workspace_records(seed: int) -> list[dict[str, object]]:
    """The records of the workspace file (the starter trains on the first ``TRAINING_SIZE``)."""
    return generate(seed, WORKSPACE_STREAM, RECORDS)


def write_data(folder: Path, seed: int) -> None:
    """Write ``sarcasm.json`` (a JSON array of records, one a line) into ``folder``."""
    lines = ",\n".join(json.dumps(record) for record in workspace_records(seed))
    (folder / FILE_NAME).write_text(f"[\n{lines}\n]\n", encoding="utf-8")
