"""The Board page: the columns' item models, the view with its lanes, the card delegate."""
