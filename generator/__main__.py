from generator.cli import main_entry

main_entry()
