"""What the customers app tells compliance's privacy requests (registered from
CustomersConfig.ready()): customers as data subjects, found by customer number; every table
holding data about a customer, read in clear for access and portability exports; and the
objection to direct marketing, which withdraws every marketing and event consent at once.

    sources    the data sources: every row about one customer, without other customers' data
    subjects   the subject type and the request handlers, and `register()`
"""

from customers.privacy.subjects import register

__all__ = ["register"]
