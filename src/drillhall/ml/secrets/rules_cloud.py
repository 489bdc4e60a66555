"""Rules for cloud providers, source-code hosts and AI model providers."""

from __future__ import annotations

import re

from drillhall.core.model import Confidence, Severity
from drillhall.ml.secrets.detectors import (
    ASSIGN,
    LB,
    OWASP_ML_SUPPLY,
    RB,
    TAGS,
    Detector,
    L,
    R,
    RuleSpec,
    has_classes,
    named,
    rule,
    rx,
    token,
)

C, H, M, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW
ML_TAGS = (*TAGS, OWASP_ML_SUPPLY)

_ROTATE = "Revoke the {0} in the {1}, issue a new one, and load it from a secret store or " \
          "environment variable instead of source; remove the old value from history."


def _rot(what: str, where: str) -> str:
    return _ROTATE.format(what, where)


def _aws_secret_ok(m: re.Match[str], value: str) -> bool:
    return has_classes(value, 3)


def _near_client_email(m: re.Match[str], value: str) -> bool:
    text = m.string
    lo, hi = max(0, m.start() - 3000), min(len(text), m.end() + 3000)
    return '"client_email"' in text[lo:hi]


def _sas_ok(m: re.Match[str], value: str) -> bool:
    url = m.group(0)
    return "sv=" in url and ("se=" in url or "sp=" in url)


SPECS: tuple[RuleSpec, ...] = (
    rule("DH-SECRET-AWS-ACCESS-KEY", "AWS access key id",
         "An AWS access key id (AKIA… long-term, ASIA… temporary). Alone it identifies a key; "
         "with its secret it grants the key's permissions.",
         _rot("access key", "AWS IAM console"), H),
    rule("DH-SECRET-AWS-SECRET-KEY", "AWS secret access key",
         "A 40-character AWS secret access key assigned to an AWS secret name.",
         _rot("access key", "AWS IAM console"), C),
    rule("DH-SECRET-AWS-KEY-PAIR", "AWS secret access key next to its key id",
         "A secret access key found next to an AWS access key id (reported at the secret; the "
         "key id has its own finding): together a usable credential.",
         _rot("access key", "AWS IAM console"), C),
    rule("DH-SECRET-AWS-SESSION-TOKEN", "AWS session token",
         "A temporary AWS STS session token.", _rot("session", "AWS console (revoke sessions)"),
         H),
    rule("DH-SECRET-GCP-SERVICE-ACCOUNT", "Google Cloud service-account key file",
         "A service-account JSON key: a private key with its client e-mail.",
         _rot("service-account key", "Google Cloud IAM console"), C),
    rule("DH-SECRET-GOOGLE-API-KEY", "Google API key",
         "A Google API key (AIza…), used for Maps, Firebase and Gemini among others.",
         _rot("API key", "Google Cloud console or AI Studio") + " Restrict keys by API and "
         "referrer.", H, tags=ML_TAGS),
    rule("DH-SECRET-GCP-OAUTH-CLIENT-SECRET", "Google OAuth client secret",
         "A Google OAuth 2.0 client secret (GOCSPX-…).",
         _rot("client secret", "Google Cloud console"), H),
    rule("DH-SECRET-AZURE-STORAGE-KEY", "Azure storage account key",
         "An Azure storage account key in a connection string (AccountKey=…): full access to "
         "the account's data.", _rot("account key", "Azure portal") + " Prefer Entra ID or "
         "short-lived SAS tokens.", C),
    rule("DH-SECRET-AZURE-SAS-TOKEN", "Azure shared access signature",
         "An Azure SAS URL with its signature (sig=…).",
         _rot("SAS (rotate the signing key)", "Azure portal"), H),
    rule("DH-SECRET-AZURE-AD-CLIENT-SECRET", "Microsoft Entra ID client secret",
         "A Microsoft Entra ID (Azure AD) application client secret.",
         _rot("client secret", "Entra ID app registration"), H),
    rule("DH-SECRET-GITHUB-PAT", "GitHub personal access token",
         "A classic GitHub personal access token (ghp_…).", _rot("token", "GitHub settings"), C),
    rule("DH-SECRET-GITHUB-FINE-GRAINED-PAT", "GitHub fine-grained personal access token",
         "A fine-grained GitHub personal access token (github_pat_…).",
         _rot("token", "GitHub settings"), C),
    rule("DH-SECRET-GITHUB-OAUTH-TOKEN", "GitHub OAuth access token",
         "A GitHub OAuth app access token (gho_…).", _rot("token", "GitHub settings"), H),
    rule("DH-SECRET-GITHUB-APP-TOKEN", "GitHub App token",
         "A GitHub App user-to-server or installation token (ghu_…, ghs_…).",
         _rot("token", "GitHub App settings"), H),
    rule("DH-SECRET-GITHUB-REFRESH-TOKEN", "GitHub refresh token",
         "A GitHub App refresh token (ghr_…).", _rot("token", "GitHub App settings"), H),
    rule("DH-SECRET-GITLAB-TOKEN", "GitLab token",
         "A GitLab personal, project, deploy, runner or trigger token (glpat-…, gldt-…).",
         _rot("token", "GitLab settings"), C),
    rule("DH-SECRET-BITBUCKET-APP-PASSWORD", "Bitbucket app password",
         "A Bitbucket app password (ATBB…).", _rot("app password", "Bitbucket settings"), H),
    rule("DH-SECRET-ATLASSIAN-API-TOKEN", "Atlassian API token",
         "An Atlassian (Jira, Confluence, Bitbucket) API or access token (ATATT…, ATCTT…).",
         _rot("token", "Atlassian account settings"), H),
    rule("DH-SECRET-OPENAI-API-KEY", "OpenAI API key",
         "An OpenAI API key (sk-…, sk-proj-…): spend and data of the organisation.",
         _rot("key", "OpenAI dashboard"), C, tags=ML_TAGS),
    rule("DH-SECRET-ANTHROPIC-API-KEY", "Anthropic API key",
         "An Anthropic API or admin key (sk-ant-…).", _rot("key", "Anthropic console"), C,
         tags=ML_TAGS),
    rule("DH-SECRET-DRILLHALL-GUARD-KEY", "drillhall guard client key",
         "A client key of drillhall's LLM guard proxy (dhg-…): whoever holds it calls the model "
         "through the guard as that application.",
         "Revoke it (drillhall llm guard keys revoke NAME), add a new one, and keep it on the "
         "application's server, never in an app bundle or source.", H, tags=ML_TAGS),
    rule("DH-SECRET-HUGGINGFACE-TOKEN", "Hugging Face access token",
         "A Hugging Face user access token (hf_…): a write token can replace published models.",
         _rot("token", "Hugging Face settings"), H, tags=ML_TAGS),
    rule("DH-SECRET-COHERE-API-KEY", "Cohere API key", "A Cohere API key.",
         _rot("key", "Cohere dashboard"), H, tags=ML_TAGS, confidence=Confidence.MEDIUM),
    rule("DH-SECRET-REPLICATE-API-TOKEN", "Replicate API token", "A Replicate API token (r8_…).",
         _rot("token", "Replicate account"), H, tags=ML_TAGS),
    rule("DH-SECRET-GROQ-API-KEY", "Groq API key", "A Groq API key (gsk_…).",
         _rot("key", "Groq console"), H, tags=ML_TAGS),
    rule("DH-SECRET-MISTRAL-API-KEY", "Mistral AI API key", "A Mistral AI API key.",
         _rot("key", "Mistral console"), H, tags=ML_TAGS, confidence=Confidence.MEDIUM),
    rule("DH-SECRET-PERPLEXITY-API-KEY", "Perplexity API key", "A Perplexity API key (pplx-…).",
         _rot("key", "Perplexity settings"), H, tags=ML_TAGS),
    rule("DH-SECRET-XAI-API-KEY", "xAI API key", "An xAI (Grok) API key (xai-…).",
         _rot("key", "xAI console"), H, tags=ML_TAGS),
    rule("DH-SECRET-LANGSMITH-API-KEY", "LangSmith API key",
         "A LangSmith personal or service key (lsv2_…): traces hold prompts and outputs.",
         _rot("key", "LangSmith settings"), H, tags=ML_TAGS),
    rule("DH-SECRET-WANDB-API-KEY", "Weights & Biases API key",
         "A Weights & Biases API key: experiment data, artifacts and models.",
         _rot("key", "W&B user settings"), H, tags=ML_TAGS, confidence=Confidence.MEDIUM),
    rule("DH-SECRET-PINECONE-API-KEY", "Pinecone API key",
         "A Pinecone vector database API key (pcsk_…).", _rot("key", "Pinecone console"), H,
         tags=ML_TAGS),
)

_AWS_ID = r"(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}"
AWS_ID_KEYWORDS = ("AKIA", "ASIA", "ABIA", "ACCA")

DETECTORS: tuple[Detector, ...] = (
    token("DH-SECRET-AWS-ACCESS-KEY", rf"{L}{_AWS_ID}{R}", *AWS_ID_KEYWORDS, prefix=4,
          min_entropy=2.5, after=20),
    Detector("DH-SECRET-AWS-SECRET-KEY",
             rx(rf"(?i:aws[\w.\-]{{0,20}}?secret|secret[_\-.]?access[_\-.]?key){ASSIGN}"
                rf"(?P<secret>[A-Za-z0-9/+]{{40}}){RB}"),
             keywords=("secret",), before=40, after=120, priority=90, min_entropy=3.5,
             check=_aws_secret_ok),
    Detector("DH-SECRET-AWS-KEY-PAIR", rx(rf"{LB}(?P<secret>[A-Za-z0-9/+]{{40}}){RB}"),
             case_keywords=AWS_ID_KEYWORDS, before=600, after=620, priority=95,
             min_entropy=3.5, check=_aws_secret_ok, role="pair-candidate"),
    named("DH-SECRET-AWS-SESSION-TOKEN", r"aws[_\-.]?session[_\-.]?token|sessiontoken|"
          r"security[_\-.]?token", r"[A-Za-z0-9/+=]{100,1400}", "sessiontoken", "session_token",
          "session-token", "security_token", "securitytoken", min_entropy=4.0),
    Detector("DH-SECRET-GCP-SERVICE-ACCOUNT",
             rx(r'"private_key"\s{0,4}:\s{0,4}"(?P<secret>-----BEGIN (?:RSA )?PRIVATE KEY-----'
                r"(?:\\n|\\r|[A-Za-z0-9+/=\s]){64,6000}?-----END (?:RSA )?PRIVATE KEY-----)"),
             case_keywords=('"private_key"',), before=4, after=6000, priority=110,
             check=_near_client_email),
    token("DH-SECRET-GOOGLE-API-KEY", rf"{L}AIza[0-9A-Za-z_\-]{{35}}{R}", "AIza", prefix=4),
    token("DH-SECRET-GCP-OAUTH-CLIENT-SECRET", rf"{L}GOCSPX-[0-9A-Za-z_\-]{{28}}{R}", "GOCSPX-",
          prefix=7),
    Detector("DH-SECRET-AZURE-STORAGE-KEY",
             rx(r"(?i:AccountKey)\s{0,2}=\s{0,2}(?P<secret>[A-Za-z0-9+/]{86}==)"),
             keywords=("accountkey",), after=100, min_entropy=4.0),
    Detector("DH-SECRET-AZURE-SAS-TOKEN",
             rx(r"[?&](?:sv|ss|srt|sp|se|st|spr|sr|si|skoid)=[^\s'\"<>]{0,400}?[?&]sig="
                r"(?P<secret>[A-Za-z0-9%+/]{40,120}(?:=|%3[Dd]){0,2})"),
             case_keywords=("sig=",), before=420, after=130, min_entropy=3.5, check=_sas_ok),
    token("DH-SECRET-AZURE-AD-CLIENT-SECRET",
          rf"{L}[A-Za-z0-9_~.]{{3}}\dQ~[A-Za-z0-9_~.\-]{{31,34}}{R}", "Q~", before=8, after=40,
          min_entropy=3.5, check=lambda m, v: has_classes(v, 3)),
    token("DH-SECRET-GITHUB-PAT", rf"{L}ghp_[A-Za-z0-9]{{36}}{R}", "ghp_", prefix=4),
    token("DH-SECRET-GITHUB-FINE-GRAINED-PAT",
          rf"{L}github_pat_[A-Za-z0-9]{{22}}_[A-Za-z0-9]{{59}}{R}", "github_pat_", prefix=11),
    token("DH-SECRET-GITHUB-OAUTH-TOKEN", rf"{L}gho_[A-Za-z0-9]{{36}}{R}", "gho_", prefix=4),
    token("DH-SECRET-GITHUB-APP-TOKEN", rf"{L}gh[us]_[A-Za-z0-9]{{36}}{R}", "ghu_", "ghs_",
          prefix=4),
    token("DH-SECRET-GITHUB-REFRESH-TOKEN", rf"{L}ghr_[A-Za-z0-9]{{36,255}}{R}", "ghr_",
          prefix=4),
    token("DH-SECRET-GITLAB-TOKEN",
          rf"{L}(?:glpat|glptt|gldt|glrt|gloas|glcbt|glffct|glsoat|glft|glimt|glagent)-"
          rf"[A-Za-z0-9_\-]{{20,64}}{R}",
          "glpat-", "glptt-", "gldt-", "glrt-", "gloas-", "glcbt-", "glffct-", "glsoat-",
          "glft-", "glimt-", "glagent-", check=lambda m, v: has_classes(v.split("-", 1)[1])),
    token("DH-SECRET-BITBUCKET-APP-PASSWORD", rf"{L}ATBB[A-Za-z0-9_=.\-]{{28,40}}{R}", "ATBB",
          prefix=4, check=lambda m, v: has_classes(v[4:], 3)),
    token("DH-SECRET-ATLASSIAN-API-TOKEN", rf"{L}AT(?:ATT|CTT)3[A-Za-z0-9_=\-]{{150,260}}{R}",
          "ATATT3", "ATCTT3", prefix=6),
    token("DH-SECRET-OPENAI-API-KEY",
          rf"{L}sk-(?:(?:proj|svcacct|admin|None)-)?[A-Za-z0-9_\-]{{16,180}}T3BlbkFJ"
          rf"[A-Za-z0-9_\-]{{16,180}}{R}", "T3BlbkFJ", before=200, after=190, prefix=3),
    token("DH-SECRET-ANTHROPIC-API-KEY",
          rf"{L}sk-ant-(?:api|admin|oat|ort)\d\d-[A-Za-z0-9_\-]{{80,120}}{R}", "sk-ant-",
          prefix=14),
    token("DH-SECRET-DRILLHALL-GUARD-KEY", rf"{L}dhg-[0-9a-f]{{12}}-[A-Za-z0-9_\-]{{43}}{R}",
          "dhg-", prefix=4, check=lambda m, v: has_classes(v[17:])),
    token("DH-SECRET-HUGGINGFACE-TOKEN", rf"{L}(?:hf_|api_org_)[A-Za-z]{{34}}{R}", "hf_",
          "api_org_", prefix=3, min_entropy=3.5, check=lambda m, v: has_classes(v[3:])),
    named("DH-SECRET-COHERE-API-KEY", r"co(?:here)?[_\-.]?api[_\-.]?key|cohere[\w.\-]{0,20}?"
          r"(?:key|token)", r"[A-Za-z0-9]{40}", "cohere", "co_api_key", min_entropy=3.8,
          confidence=Confidence.MEDIUM, check=lambda m, v: has_classes(v, 3)),
    token("DH-SECRET-REPLICATE-API-TOKEN", rf"{L}r8_[A-Za-z0-9]{{37}}{R}", "r8_", prefix=3),
    token("DH-SECRET-GROQ-API-KEY", rf"{L}gsk_[A-Za-z0-9]{{52}}{R}", "gsk_", prefix=4),
    named("DH-SECRET-MISTRAL-API-KEY", r"mistral[\w.\-]{0,20}?(?:key|token)",
          r"[A-Za-z0-9]{32}", "mistral", min_entropy=3.8, confidence=Confidence.MEDIUM,
          check=lambda m, v: has_classes(v, 3)),
    token("DH-SECRET-PERPLEXITY-API-KEY", rf"{L}pplx-[A-Za-z0-9]{{48}}{R}", "pplx-", prefix=5),
    token("DH-SECRET-XAI-API-KEY", rf"{L}xai-[A-Za-z0-9]{{80}}{R}", "xai-", prefix=4),
    token("DH-SECRET-LANGSMITH-API-KEY", rf"{L}lsv2_(?:pt|sk)_[a-f0-9]{{32}}_[a-f0-9]{{10}}{R}",
          "lsv2_", prefix=8),
    named("DH-SECRET-WANDB-API-KEY", r"wandb[\w.\-]{0,20}?(?:key|token)", r"[a-f0-9]{40}",
          "wandb", min_entropy=3.2, confidence=Confidence.MEDIUM),
    token("DH-SECRET-PINECONE-API-KEY", rf"{L}pcsk_[A-Za-z0-9]{{4,10}}_[A-Za-z0-9]{{50,90}}{R}",
          "pcsk_", prefix=5),
)
