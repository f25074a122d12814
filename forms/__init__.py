"""Form definitions for application-type power items: versioned data that drives the HTML form,
the API schema and server-side validation alike. Flask-free."""
