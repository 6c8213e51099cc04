"""Scoring benchmark: training time of the `learned` and `leverage` scorers on every labelled
task and their prediction throughput, next to a plain TF-IDF + logistic-regression baseline
and the fixed-weight `leverage:fixed` in the same run.

Targets (issues): `learned` trains in <= 10 s on the 2-core machine and predicts >= 50,000
tasks/s (end to end: from the task_inputs frame to scores, text vectorising included);
`leverage` (the explainable boosting model) fits in <= 10 s and predicts >= 100,000 tasks/s;
its `scorer_explanation` rows are read from the fitted model (timed on their own line), as
are both models' per-task standard deviations (`predict_sd`: a prediction per bag or fold
model, no fit). `stacked` (both models stacked out of fold, issue 11) should fit in <= 60 s.
Run: .venv/bin/python bench/scoring.py [--repeat N]
"""

from __future__ import annotations

import os

from _timing import real_tables, repeat_parser, timed

from exposure.scorers.evaluate import TfidfLogisticBaseline
from exposure.scorers.inputs import task_inputs, task_targets
from exposure.scorers.learned import LearnedScorer
from exposure.scorers.leverage import LeverageScorer
from exposure.scorers.leverage_fixed import FixedLeverageScorer
from exposure.scorers.stacked import StackedScorer


def task_features(tables):
    try:
        from exposure.features import build_task_features
    except ImportError:
        return None
    return build_task_features(tables)


def main() -> None:
    args = repeat_parser(3, __doc__).parse_args()
    tables = real_tables()
    features = task_features(tables)
    X = task_inputs(tables, features)
    y = task_targets(tables, X)
    labelled = y.is_not_null().sum()
    print(f"tasks {X.height:,}, labelled {labelled:,}, CPUs {os.cpu_count()}, "
          f"task features {'yes' if features is not None else 'no (exposure.features absent)'}")
    print(f"{'model':28s} {'train s':>8s} {'predict s':>10s} {'tasks/s':>10s}")
    models = (("learned", LearnedScorer), ("baseline tfidf+logreg", TfidfLogisticBaseline),
              ("leverage", LeverageScorer), ("leverage:fixed", FixedLeverageScorer),
              ("stacked", StackedScorer))
    for name, make in models:
        fitted = make().fit(X, y)
        train, _ = timed(lambda make=make: make().fit(X, y), args.repeat)
        fitted.predict(X)  # warm
        predict, _ = timed(lambda fitted=fitted: fitted.predict(X), max(args.repeat, 5))
        print(f"{name:28s} {train:8.2f} {predict:10.3f} {X.height / predict:10,.0f}")
        if hasattr(fitted, "predict_sd"):  # the score stage's score_sd: no fit of its own
            sd, _ = timed(lambda fitted=fitted: fitted.predict_sd(X), args.repeat)
            print(f"{'  its predict_sd':28s} {'':8s} {sd:10.3f}")
        if name == "leverage":  # the score stage's scorer_explanation: no fit of its own
            explain, _ = timed(lambda fitted=fitted: fitted.explanation(X), args.repeat)
            print(f"{'  its scorer_explanation':28s} {'':8s} {explain:10.3f}")
    print("targets: learned train <= 10 s, predict >= 50,000 tasks/s; leverage train <= 10 s, "
          "predict >= 100,000 tasks/s; stacked train <= 60 s "
          f"(load average now {os.getloadavg()[0]:.1f}; other work on the machine slows both)")


if __name__ == "__main__":
    main()
