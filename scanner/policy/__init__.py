"""The policy layer: what the privacy policy promises, as data.

``rules`` reads the policy file (categories per entity type, CPNI, the storage
rule), ``residency`` decides where a source is stored and whether that keeps
the storage rule, and ``yamlsource`` is the line-numbered YAML reading both
the policy and the scan configuration use.
"""

from scanner.policy.rules import CPNI_CATEGORY, SENSITIVITIES, Category, Policy, PolicyError

__all__ = ["CPNI_CATEGORY", "SENSITIVITIES", "Category", "Policy", "PolicyError"]
