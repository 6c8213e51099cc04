"""What each column of `task_feature` is and where it comes from (MODEL_SPEC §1).

`COMPONENTS` is the one list of the table's computed columns: the README's table, the pandera
model and the tests all read it, and `components.FUNCTIONS` computes exactly these names. A
component's group is `data_availability` (columns `da_*`, §1.1), `verifiability` (`v_*`,
§1.2) or `other` (G_o, m_i, face-to-face and Job Zone, which the forecasts read). The
aggregates of `AGGREGATES`, named after the first two groups, are the mean of the group's
non-null components.

Notation: pr(x) is the employment-weighted mid-rank percentile of x across occupations
(`percentile.py`); "share of the task's DWAs" counts the task's Detailed Work Activities
whose Generalized Work Activity (GWA) is in the named set (`Tasks to DWAs` + `DWA Reference`).
Components marked *full download* are null with the staged mirror, which lacks O*NET
Work Activities, Work Context and Task Ratings (SOURCES.md caveat C2).
"""

from __future__ import annotations

from typing import NamedTuple

DATA_AVAILABILITY = "data_availability"
VERIFIABILITY = "verifiability"
OTHER = "other"
GROUPS = (DATA_AVAILABILITY, VERIFIABILITY)

ONET = "O*NET"
DWA = f"{ONET} Tasks to DWAs + DWA Reference + IWA Reference"
SKILLS = f"{ONET} Skills"
WA = f"{ONET} Work Activities (full download only)"
WC = f"{ONET} Work Context (full download only)"
GPTS_WC = ("O*NET Work Context when present, else GPTs-are-GPTs "
           "occupations_onet_work_contexts.csv (O*NET-derived)")


class Component(NamedTuple):
    group: str
    definition: str
    source: str


COMPONENTS: dict[str, Component] = {
    # --- 1.1 data availability -------------------------------------------------------------
    "da_computers_dwa": Component(
        DATA_AVAILABILITY,
        "Share of the task's DWAs under GWA 4.A.3.b.1 Working with Computers",
        DWA),
    "da_documenting_dwa": Component(
        DATA_AVAILABILITY,
        "Share of the task's DWAs under GWA 4.A.3.b.6 Documenting/Recording Information",
        DWA),
    "da_processing_dwa": Component(
        DATA_AVAILABILITY,
        "Share of the task's DWAs under GWA 4.A.2.a.2 Processing Information",
        DWA),
    "da_not_physical_dwa": Component(
        DATA_AVAILABILITY,
        "1 − share of the task's DWAs under the physical GWAs 4.A.3.a.1 Performing General "
        "Physical Activities, 4.A.3.a.2 Handling and Moving Objects, 4.A.3.a.3 Controlling "
        "Machines and Processes, 4.A.3.a.4 Operating Vehicles..., 4.A.3.b.4 Repairing and "
        "Maintaining Mechanical Equipment",
        DWA),
    "da_information_iwa": Component(
        DATA_AVAILABILITY,
        "Mean over the task's DWAs of the information-object share of their Intermediate "
        "Work Activity title (object lexicon of `text.py`: reports, records, data, code... "
        "vs. physical objects and people); null when no title names an object",
        DWA),
    "da_text_verb": Component(
        DATA_AVAILABILITY,
        "1 if the statement's action verb produces text, code or numbers (write, draft, "
        "code, program, record, document, compile, calculate, translate, edit...; prepare, "
        "maintain, keep... only with an information object), else 0 (§1.1 text_i)",
        f"{ONET} Task Statements"),
    "da_text_object": Component(
        DATA_AVAILABILITY,
        "Information-object share of the statement's words after the action verb: "
        "information nouns / (information + physical + people nouns), lexicons of `text.py`; "
        "null when it names none",
        f"{ONET} Task Statements"),
    "da_tech_skills": Component(
        DATA_AVAILABILITY,
        "pr(log1p(number of Technology Skills examples of the occupation))",
        f"{ONET} Technology Skills"),
    "da_hot_tech": Component(
        DATA_AVAILABILITY,
        "pr(log1p(number of Hot Technology examples of the occupation))",
        f"{ONET} Technology Skills"),
    "da_programming": Component(
        DATA_AVAILABILITY, "pr(Skill 2.B.3.e Programming, level LV); Not Relevant = 0", SKILLS),
    "da_writing": Component(
        DATA_AVAILABILITY, "pr(Skill 2.A.1.c Writing, level LV); Not Relevant = 0", SKILLS),
    "da_mathematics": Component(
        DATA_AVAILABILITY, "pr(Skill 2.A.1.e Mathematics, level LV); Not Relevant = 0", SKILLS),
    "da_computers_knowledge": Component(
        DATA_AVAILABILITY,
        "pr(Knowledge 2.C.3.a Computers and Electronics, level LV); Not Relevant = 0",
        f"{ONET} Knowledge"),
    "da_practitioners": Component(
        DATA_AVAILABILITY,
        "Volume of practitioners: pr(log(Emp_o · FT_i)) across tasks (weighted by the task's "
        "share of Emp_o; null for a task without FT) when Task Ratings has frequency (FT, "
        "categories mapped to 1 ... 2,000 times a year), else pr(Emp_o); Emp_o is the OEWS "
        "national employment of the occupation's BLS code times its crosswalk split weight",
        "OEWS May <year> national + BLS O*NET-to-NEM crosswalk; O*NET Task Ratings FT "
        "(full download)"),
    "da_computers_wa": Component(
        DATA_AVAILABILITY, "pr(Work Activity 4.A.3.b.1 Working with Computers, importance IM)",
        WA),
    "da_documenting_wa": Component(
        DATA_AVAILABILITY,
        "pr(Work Activity 4.A.3.b.6 Documenting/Recording Information, importance IM)", WA),
    "da_processing_wa": Component(
        DATA_AVAILABILITY, "pr(Work Activity 4.A.2.a.2 Processing Information, importance IM)",
        WA),
    "da_not_hands_wc": Component(
        DATA_AVAILABILITY,
        "1 − pr(Work Context 4.C.2.d.1.g Spend Time Using Your Hands..., context CX)", WC),
    # --- 1.2 verifiability -----------------------------------------------------------------
    "v_verb": Component(
        VERIFIABILITY,
        "Acemoglu verb class of the action verb: easy = 1 (compute, resolve, count, draft, "
        "grade, transcribe, classify, standardize, write, record), uncertain = 0.5 (analyze, "
        "maintain, inspect), hard = 0 (participate, advise, instruct, diagnose, educate, "
        "hire, represent, testify, care), plus the few synonyms listed in `text.py`; null "
        "for other verbs",
        f"{ONET} Task Statements"),
    "v_job_zone": Component(
        VERIFIABILITY,
        "1 − pr(Job Zone): more preparation means costlier expert evaluation",
        f"{ONET} Job Zones, else the GPTs-are-GPTs basic-skills file"),
    "v_exact": Component(
        VERIFIABILITY, "pr(Work Context 4.C.3.b.4 Importance of Being Exact or Accurate)",
        GPTS_WC),
    "v_repetition": Component(
        VERIFIABILITY, "pr(Work Context 4.C.3.b.7 Importance of Repeating Same Tasks)", GPTS_WC),
    "v_structured": Component(
        VERIFIABILITY,
        "1 − pr(Work Context 4.C.3.b.8 Structured versus Unstructured Work / Determine "
        "Tasks, Priorities and Goals); a high rating is freedom to set one's own tasks",
        GPTS_WC),
    "v_automation": Component(
        VERIFIABILITY, "pr(Work Context 4.C.3.b.2 Degree of Automation)", GPTS_WC),
    "v_not_caring_dwa": Component(
        VERIFIABILITY,
        "1 − share of the task's DWAs under GWA 4.A.4.a.5 Assisting and Caring for Others",
        DWA),
    "v_not_face_to_face_dwa": Component(
        VERIFIABILITY,
        "1 − share of the task's DWAs under the face-to-face GWAs 4.A.4.a.4-8 (relationships, "
        "caring, selling, negotiating, working with the public) and 4.A.4.b.3-6 (teaching, "
        "directing, coaching, advising)",
        DWA),
    "v_not_face_to_face_wc": Component(
        VERIFIABILITY,
        "1 − pr(Work Context 4.C.1.a.2.l Face-to-Face Discussions, context CX)", WC),
    "v_not_caring_wa": Component(
        VERIFIABILITY,
        "1 − pr(Work Activity 4.A.4.a.5 Assisting and Caring for Others, importance IM)", WA),
    "v_benchmark": Component(
        VERIFIABILITY,
        "Benchmark coverage B_o: 1 for GDPval occupations and software developers "
        "(SWE-bench, METR), 0.5 for exam-style benchmarks only (USMLE-style QA), else 0",
        "data/benchmarks.csv (curated, see data/benchmarks.md; must be reviewed)"),
    # --- other inputs of the forecasts -------------------------------------------------------
    "gatekeeping": Component(
        OTHER,
        "G_o (MODEL_SPEC §7.6 P7): the union representation rate (share of employed wage "
        "and salary workers represented by unions, 0-1) of the occupation's SOC major "
        "group; §1.3's licensing share is left out because no licensing-by-occupation table "
        "exists in the public data; null for military (55)",
        "BLS CPS Table 42, 2016 (union_density)"),
    "manual_intensity": Component(
        OTHER,
        "m_i = pr(hands) · (1 − pr(computers)) (§2.1); hands = Work Context 4.C.2.d.1.g and "
        "computers = Work Activity 4.A.3.b.1 when present, else the occupation's "
        "task-weighted share of DWAs under the physical GWAs (as da_not_physical_dwa) and "
        "under the computer-work GWAs 4.A.3.b.1, 4.A.3.b.6, 4.A.2.a.2, 4.A.2.a.4 (Working "
        "with Computers alone links to too few DWAs: 88% of employment would tie at 0)",
        f"{WC}; {WA}; else {DWA}"),
    "face_to_face": Component(
        OTHER,
        "pr(Work Context 4.C.1.a.2.l Face-to-Face Discussions) when present, else pr(the "
        "occupation's task-weighted share of face-to-face DWAs) (§2.3 social frictions)",
        f"{WC}; else {DWA}"),
    "job_zone": Component(
        OTHER, "O*NET Job Zone 1-5 (Int8)",
        f"{ONET} Job Zones, else the GPTs-are-GPTs basic-skills file"),
}

# The aggregates, between the components and the other columns.
AGGREGATES: dict[str, str] = {
    DATA_AVAILABILITY: "DA_i (§1.1): mean of the task's non-null da_* components",
    VERIFIABILITY: "V_i (§1.2): mean of the task's non-null v_* components",
}


def columns(group: str) -> list[str]:
    """The component columns of `group`, in table order."""
    return [name for name, c in COMPONENTS.items() if c.group == group]


def markdown_table() -> str:
    """The column table as the README shows it (components, aggregates, other columns)."""
    rows = [(n, c) for n, c in COMPONENTS.items() if c.group != OTHER]
    rows += [(n, Component(n, d, "the components above")) for n, d in AGGREGATES.items()]
    rows += [(n, c) for n, c in COMPONENTS.items() if c.group == OTHER]
    lines = ["| column | group | definition | source |", "|---|---|---|---|"]
    lines += [f"| `{name}` | {c.group} | {c.definition} | {c.source} |" for name, c in rows]
    return "\n".join(lines)
