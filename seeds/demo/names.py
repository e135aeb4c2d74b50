"""First and last names as met in Seine-Saint-Denis (a diverse population), and a few
ways people's names get typed twice differently (for the duplicate detection demo)."""

MALE_FIRST_NAMES = [
    "Mohamed", "Mamadou", "Moussa", "Adama", "Ibrahima", "Sékou", "Boubacar", "Souleymane", "Ousmane",
    "Amadou", "Bakary", "Cheick", "Issa", "Lassana", "Demba", "Karim", "Sofiane", "Yacine", "Mehdi",
    "Bilal", "Rachid", "Samir", "Nabil", "Farid", "Hakim", "Yassine", "Walid", "Amine", "Ilyes", "Rayan",
    "Anis", "Nassim", "Redouane", "Mustapha", "Abdelkader", "Youssef", "Hamza", "Ayoub", "Idriss",
    "Lucas", "Hugo", "Thomas", "Nicolas", "Julien", "Kevin", "Jérémy", "Anthony", "Maxime", "Alexandre",
    "Sébastien", "Stéphane", "Christophe", "Laurent", "Frédéric", "Patrick", "Philippe", "Pascal",
    "Jean-Pierre", "Jean-Claude", "Dylan", "Enzo", "Théo", "Noé", "Loïc", "Jérôme", "Grégory",
    "João", "Manuel", "Paulo", "Rui", "Carlos", "António", "Sérgio", "Nuno",
    "Wei", "Jun", "Hao", "Minh", "Tuan", "Vinh", "Rajesh", "Suresh", "Kumaran", "Tharshan",
    "Emre", "Mehmet", "Murat", "Burak", "Ionuț", "Florin", "Mihai", "Vasile",
    "Jean-Baptiste", "Wilson", "Fritz", "Ricardo", "Kofi", "Kwame", "Emmanuel", "Christian", "Junior",
    "Dieudonné", "Serge", "Blaise", "Arnaud", "Cédric", "Fabrice", "Hervé", "Olivier", "David",
    "Saïd", "Ahmed", "Ali", "Omar", "Hassan", "Ibrahim", "Moustapha", "Djibril", "Aboubacar", "Kader",
]

FEMALE_FIRST_NAMES = [
    "Fatoumata", "Aminata", "Mariam", "Aïssatou", "Kadiatou", "Oumou", "Fanta", "Hawa", "Djeneba",
    "Awa", "Assa", "Binta", "Fatima", "Khadija", "Samira", "Nadia", "Leïla", "Yasmina", "Sabrina",
    "Sonia", "Malika", "Nora", "Inès", "Sarah", "Myriam", "Amel", "Houria", "Naïma", "Rachida",
    "Sophie", "Julie", "Camille", "Laura", "Élodie", "Céline", "Nathalie", "Isabelle", "Sandrine",
    "Stéphanie", "Valérie", "Christine", "Marie", "Anaïs", "Manon", "Chloé", "Léa", "Zoé", "Océane",
    "Maria", "Ana", "Sofia", "Catarina", "Fernanda", "Lin", "Mei", "Xiu", "Thi", "Lan", "Priya",
    "Kavitha", "Tharsika", "Elif", "Ayşe", "Zeynep", "Ioana", "Elena", "Andreea", "Nadège", "Mireille",
    "Guerline", "Rose-Marie", "Josiane", "Grâce", "Prisca", "Esther", "Ruth", "Déborah", "Merveille",
    "Salimata", "Coumba", "Ndeye", "Mame", "Rokia", "Safiatou", "Hélène", "Gaëlle", "Aurélie",
]

LAST_NAMES = [
    # Sub-Saharan Africa
    "Diallo", "Traoré", "Koné", "Camara", "Cissé", "Touré", "Diakité", "Keïta", "Sissoko", "Doucouré",
    "Konaté", "Sylla", "Bamba", "Ba", "Diop", "Ndiaye", "Fall", "Sow", "Mbaye", "Coulibaly", "Diarra",
    "Dembélé", "Kanté", "Fofana", "Sangaré", "Soumaré", "Sacko", "Diaby", "Tounkara", "Gassama",
    "Niang", "Gueye", "Sarr", "Faye", "Mendy", "Gomis", "Kouassi", "Kouamé", "Ouattara", "Nkounkou",
    "Mabiala", "Mukendi", "Ilunga", "Tshibanda", "Okafor", "Adeyemi", "Ahamada", "Soilihi", "Said",
    # Maghreb
    "Benali", "Haddad", "Mansouri", "Bouzid", "Cherif", "Belkacem", "Hamidi", "Amrani", "Saïdi",
    "Aït Ahmed", "Ouali", "Bouaziz", "Ben Salah", "Trabelsi", "El Amrani", "El Idrissi", "Benamar",
    "Zerrouki", "Khelifi", "Boudjema", "Larbi", "Meziane", "Kaci", "Hadjadj", "Slimani", "Rahmani",
    "Messaoudi", "Kaddour", "Boukhari", "Chaouch", "Benhamou", "Djebbar", "Mokhtari", "Nasri",
    # Portugal, Spain
    "Ferreira", "Da Silva", "Pereira", "Rodrigues", "Gonçalves", "Martins", "Oliveira", "Lopes",
    "Fernandes", "Dos Santos", "Da Costa", "Carvalho", "Sousa", "Teixeira", "Garcia", "Martinez",
    "Sanchez", "Fernandez", "Lopez",
    # France
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
    "Simon", "Laurent", "Lefebvre", "Michel", "Fournier", "Girard", "Bonnet", "Dupont", "Lambert",
    "Fontaine", "Rousseau", "Vincent", "Muller", "Lefèvre", "Faure", "André", "Mercier", "Blanc",
    "Guérin", "Boyer", "Garnier", "Chevalier", "François", "Legrand", "Gauthier", "Perrin", "Robin",
    "Clément", "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Masson", "Marchand", "Duval",
    "Denis", "Dumont", "Lemaire", "Noël", "Meyer", "Dufour", "Meunier", "Brun", "Blanchard", "Giraud",
    "Joly", "Rivière", "Lucas", "Brunet", "Gaillard", "Barbier", "Arnaud", "Gérard", "Roche", "Renard",
    "Schmitt", "Roy", "Leroux", "Colin", "Vidal", "Caron", "Picard", "Roger", "Fabre", "Aubert",
    "Lemoine", "Renaud", "Dumas", "Lacroix", "Olivier", "Philippe", "Bourgeois", "Pierre", "Benoît",
    "Leclerc", "Payet", "Hoarau", "Grondin", "Rolland", "Guillaume", "Lecomte", "Hubert", "Berger",
    "Carpentier", "Dupuis", "Moulin", "Louis", "Deschamps", "Huet", "Vasseur", "Boucher", "Fleury",
    "Le Gall", "Le Roux", "Le Goff", "Ménard", "Maréchal", "Étienne", "Lévêque", "Barthélemy",
    # Caribbean, Haiti, Indian Ocean
    "Jean-Baptiste", "Pierre-Louis", "Joseph", "Saint-Fleur", "Charles", "Théodore", "Jean-Louis",
    # Asia
    "Nguyen", "Tran", "Le", "Pham", "Wang", "Chen", "Li", "Zhang", "Lin", "Huang", "Sivakumar",
    "Tharmalingam", "Rajendran", "Selvarajah", "Kanagaratnam", "Khan", "Hussain", "Ahmed", "Singh",
    # Turkey, Eastern Europe
    "Yilmaz", "Kaya", "Demir", "Şahin", "Çelik", "Öztürk", "Popescu", "Ionescu", "Stoica", "Dumitru",
]

# A name typed differently by a second prescriber: (as first typed, as typed again).
NAME_VARIANTS = {
    "Mohamed": "Mohammed", "Aïssatou": "Aissatou", "Fatoumata": "Fatimata", "Sékou": "Sekou",
    "Keïta": "Keita", "Traoré": "Traore", "Da Silva": "Dasilva", "Aït Ahmed": "Ait-Ahmed",
    "Jérémy": "Jeremy", "Hélène": "Helene", "Koné": "Kone", "Gonçalves": "Goncalves",
}
