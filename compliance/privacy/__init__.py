"""Privacy (data-subject) requests: logged with the verified requester and the jurisdiction's
deadline, answered by an export gathered from every app, by what the apps do for the kind of
request (an objection withdraws marketing consents), or refused with a reason.

    models     deadline profiles (data), requests, exports
    registry   what domain apps register: subject types, data sources, request handlers
    clock      deadlines from a profile; where a request stands (on track, warning, breached)
    exporting  the ZIP of an access or portability request (JSON and CSV)
    services   log, extend, export, download once, complete, refuse
    reminders  the morning warning to compliance officers
    tasks      Celery: prepare an export, warn of deadlines
    selectors  the request list with clocks, one request
"""
