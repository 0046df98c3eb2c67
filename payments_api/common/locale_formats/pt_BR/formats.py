# One date format throughout the pages in Portuguese: day, month and year, as Brazilian documents write them.
DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "d/m/Y H:i"
