"""Electronic certificates (电子证照) and the signed PDFs of statutory notices, on top of the Flask-free
document pipeline (:mod:`service_hall.documents`).

* :mod:`.models` — :class:`Certificate` (numbered per issuer and year, gap-free), its status and history.
* :mod:`.issuing` — issue inside the approving transaction, revoke with the case, reissue after correction.
* :mod:`.notices` — the Notice rows of the flow as signed PDFs, rendered once and stored.
* :mod:`.verification` — public lookups (QR token, number + holder name) and offline file verification.
* :mod:`.settings` — the deployment's file store, signing identity and public base URL.

Nothing here imports Flask; functions take the session, the actor and ``now`` and never commit.
"""
