"""Who may sign in and how: single sign-on, directories, two factors, and the record of every sign-in.

A Django app of its own (label ``identity``) inside the project package: it may import every app, as the project
package may, and no app imports it.
"""
