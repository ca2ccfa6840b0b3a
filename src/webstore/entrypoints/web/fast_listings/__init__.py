"""The fast paths: the two polled listings answered in front of Flask, from kept bytes."""
