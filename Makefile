# Prepple: the two commands a newcomer needs.
#   make run    install what the app needs, migrate + seed the embedded SQLite DB, serve :3000
#   make test   install everything (Chromium, PostgreSQL too), start test servers, run all tests
.PHONY: run test lint bench

run:
	@scripts/bootstrap.sh app
	@scripts/run.sh

test:
	@scripts/bootstrap.sh test
	@scripts/test.sh

lint:
	@scripts/bootstrap.sh test
	@bash -c '. scripts/env.sh && ruff check prepple tests benchmarks alembic && mypy'

bench:
	@scripts/bootstrap.sh test
	@bash -c '. scripts/env.sh && pip install -q -e ".[dev,base-model]" && python benchmarks/bench_questions.py && python benchmarks/bench_feedback_accuracy.py && python benchmarks/bench_feedback_speed.py && python benchmarks/bench_transcription.py && python benchmarks/bench_pipeline.py --video && python benchmarks/bench_sharing.py && python benchmarks/bench_public_resume.py'
