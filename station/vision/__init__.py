"""Local computer vision: the one face detector the emulator and the capture checks share
(:mod:`station.vision.faces`), the capture guide's analysis (:mod:`station.vision.quality`) and its
instructions (:mod:`station.vision.instructions`).

Nothing is imported here: the preview names an instruction without loading the detector.
"""
