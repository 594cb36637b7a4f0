/* The workbench page: see app.py for the API it calls. */
"use strict";
