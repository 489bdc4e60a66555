"""The rules of the endpoint drill.

Every finding carries exactly one ``exposure:*`` tag (the contract other tools rely on) plus
CWE and OWASP Machine Learning Security Top 10 ids.
"""

from __future__ import annotations

from drillhall.core.model import Severity
from drillhall.core.rules import RuleInfo

TAG_UNAUTHENTICATED = "exposure:unauthenticated"
TAG_MANAGEMENT = "exposure:management-route"
TAG_PROBABILITIES = "exposure:probabilities"
TAG_MODEL_INFO = "exposure:model-info"
TAG_NO_RATE_LIMIT = "exposure:no-rate-limit"
TAG_CORS = "exposure:cors"
TAG_ERROR_DETAILS = "exposure:error-details"
TAG_PLAIN_HTTP = "exposure:plain-http"

EXPOSURE_TAGS = (TAG_UNAUTHENTICATED, TAG_MANAGEMENT, TAG_PROBABILITIES, TAG_MODEL_INFO,
                 TAG_NO_RATE_LIMIT, TAG_CORS, TAG_ERROR_DETAILS, TAG_PLAIN_HTTP)

UNAUTHENTICATED = "DH-ENDPOINT-UNAUTHENTICATED"
MANAGEMENT_API = "DH-ENDPOINT-MANAGEMENT-API"
METADATA_ROUTE = "DH-ENDPOINT-METADATA-ROUTE"
API_DOCS = "DH-ENDPOINT-API-DOCS"
PROBABILITIES = "DH-ENDPOINT-PROBABILITIES"
CONFIDENCE_SCORE = "DH-ENDPOINT-CONFIDENCE-SCORE"
EXTRACTION = "DH-ENDPOINT-EXTRACTION"
MODEL_INFO = "DH-ENDPOINT-MODEL-INFO"
NO_RATE_LIMIT = "DH-ENDPOINT-NO-RATE-LIMIT"
CORS_WILDCARD = "DH-ENDPOINT-CORS-WILDCARD"
CORS_REFLECTED = "DH-ENDPOINT-CORS-REFLECTED"
ERROR_DETAILS = "DH-ENDPOINT-ERROR-DETAILS"
PLAIN_HTTP = "DH-ENDPOINT-PLAIN-HTTP"

RULES: tuple[RuleInfo, ...] = (
    RuleInfo(
        UNAUTHENTICATED, "Prediction route answers without credentials",
        "The model's prediction route returned a successful answer to a request that carried "
        "no credentials, so anyone who can reach it can use (and copy) the model and run up "
        "its cost.",
        "Require authentication (a bearer token, mTLS or a gateway) on every prediction route.",
        Severity.HIGH, (TAG_UNAUTHENTICATED, "CWE-306", "ML05")),
    RuleInfo(
        MANAGEMENT_API, "Model-server management API reachable",
        "A management route of a model server (TorchServe management API, Triton repository "
        "API, MLflow tracking API, Ray dashboard API) answered without credentials; such APIs "
        "register, unload or replace models and read experiments and artifacts.",
        "Bind management APIs to a private interface or put them behind authentication; never "
        "publish them next to the inference route.",
        Severity.HIGH, (TAG_MANAGEMENT, "CWE-284", "ML06")),
    RuleInfo(
        METADATA_ROUTE, "Model metadata or metrics route reachable",
        "A route that describes the served models, their configuration or the server's "
        "metrics answered without credentials, telling an attacker what runs and how.",
        "Serve metadata, metrics and health details on an internal port only.",
        Severity.MEDIUM, (TAG_MANAGEMENT, "CWE-200")),
    RuleInfo(
        API_DOCS, "Interactive API documentation or schema published",
        "The service publishes its API documentation or machine-readable schema (FastAPI "
        "/docs, /redoc, /openapi.json, BentoML /docs.json), listing every route, including "
        "ones not meant for outside callers.",
        "Turn the documentation routes off in production (FastAPI: docs_url=None, "
        "redoc_url=None, openapi_url=None) or put them behind authentication.",
        Severity.LOW, (TAG_MANAGEMENT, "CWE-200")),
    RuleInfo(
        PROBABILITIES, "Full probability vector or logits in predictions",
        "Predictions carry the score of every class at high precision; these scores make "
        "model extraction, model inversion and membership inference far cheaper.",
        "Return only the label (or a coarse, rounded top-1 score) to outside callers.",
        Severity.HIGH, (TAG_PROBABILITIES, "CWE-200", "ML03", "ML04", "ML05")),
    RuleInfo(
        CONFIDENCE_SCORE, "Confidence score in predictions",
        "Predictions carry a confidence score for the chosen label; less than a full vector, "
        "but still a signal for extraction and membership inference.",
        "Round the score coarsely or leave it out for outside callers.",
        Severity.LOW, (TAG_PROBABILITIES, "CWE-200", "ML04")),
    RuleInfo(
        EXTRACTION, "Model can be copied from its answers",
        "A surrogate model trained only on answers to synthetic queries agreed with the "
        "endpoint on fresh queries at the measured rate: the endpoint's behaviour can be "
        "copied within a small query budget.",
        "Require authentication, rate-limit and monitor query volume per caller, and return "
        "less prediction metadata.",
        Severity.HIGH, (TAG_PROBABILITIES, "ML05")),
    RuleInfo(
        MODEL_INFO, "Model name, version or framework disclosed",
        "Responses or headers name the model, its version or the serving framework, which "
        "lets an attacker pick known weaknesses and track model changes.",
        "Leave model names, versions and framework banners out of public responses; keep "
        "them in internal logs.",
        Severity.LOW, (TAG_MODEL_INFO, "CWE-497")),
    RuleInfo(
        NO_RATE_LIMIT, "No rate limiting on the prediction route",
        "A bounded burst of requests got no 429, no Retry-After and no RateLimit headers: "
        "nothing limits how fast a caller can query (and copy) the model or run up its cost.",
        "Limit requests per caller (at the gateway or in the service) and answer 429 with "
        "Retry-After when the limit is hit.",
        Severity.MEDIUM, (TAG_NO_RATE_LIMIT, "CWE-770", "ML05")),
    RuleInfo(
        CORS_WILDCARD, "Any web origin may read responses (CORS *)",
        "The service answers with Access-Control-Allow-Origin: *, so any web page a user "
        "visits can call the model from the user's browser and read the answer.",
        "Allow only the origins of your own front ends.",
        Severity.MEDIUM, (TAG_CORS, "CWE-942")),
    RuleInfo(
        CORS_REFLECTED, "Arbitrary web origin reflected in CORS headers",
        "The service copies any Origin into Access-Control-Allow-Origin; with "
        "Access-Control-Allow-Credentials: true any web page can call it with the user's "
        "cookies and read the answer.",
        "Check the Origin against a fixed allow-list; never reflect it.",
        Severity.HIGH, (TAG_CORS, "CWE-942")),
    RuleInfo(
        ERROR_DETAILS, "Internals in error responses",
        "Malformed requests produced stack traces, file paths, SQL or framework internals "
        "in the response body.",
        "Answer malformed requests with a short generic message and log the details "
        "server-side.",
        Severity.MEDIUM, (TAG_ERROR_DETAILS, "CWE-209")),
    RuleInfo(
        PLAIN_HTTP, "Model endpoint served over plain HTTP",
        "The endpoint is reached over http:// on a host that is not loopback, so requests, "
        "answers and any credentials cross the network unencrypted.",
        "Serve the endpoint over HTTPS only (terminate TLS at the service or its gateway).",
        Severity.MEDIUM, (TAG_PLAIN_HTTP, "CWE-319")),
)

RULES_BY_ID = {rule.rule_id: rule for rule in RULES}
