"""`python -m demo`: play the story."""

from demo.story import main

main()
