"""The brand's privacy policy as data: its sections, contact details and the coverage map.

The assistant's privacy answers live in domain/privacy.yml; the files here say which part of the
policy each answer comes from, so tests can check that every section is answered and cited.
"""
