# One date format throughout the pages in English: ISO 8601, which no reader mistakes for another day.
DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
